// Fashion-MNIST from the Debian package and MNIST-format directories: counts, shapes, class
// balance, directory resolution and the missing-data message.
import Foundation
import Testing
import WorkbenchData
import WorkbenchTesting

@Suite struct FashionMNISTTests {
    static let installed = MNISTFormat.isPresent(.train, in: FashionMNIST.defaultDirectory)

    @Test(.enabled(if: installed, "needs `sudo apt-get install dataset-fashion-mnist`"))
    func realFilesLoadWithBalancedClasses() throws {
        let start = Date()
        let train = try FashionMNIST.load(split: .train)
        let trainSeconds = Date().timeIntervalSince(start)
        let test = try FashionMNIST.load(split: .test)
        print("Fashion-MNIST load: train \(String(format: "%.3f", trainSeconds)) s, both \(String(format: "%.3f", Date().timeIntervalSince(start))) s")
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(train.shape == [60_000, 1, 28, 28] && test.shape == [10_000, 1, 28, 28])
        #expect(train.labels.shape == [60_000])
        #expect(train.labelHistogram() == Array(repeating: 6000, count: 10))
        #expect(test.labelHistogram() == Array(repeating: 1000, count: 10))
        #expect(train.classNames == ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                     "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"])
        // Known facts of the published files: the first training label is 9 (ankle boot),
        // the first test label 9 too, and the pixel mean is about 0.286.
        #expect(train.labels.data[0] == 9 && test.labels.data[0] == 9)
        let mean = Double(train.pixels.reduce(0) { $0 + Int($1) }) / Double(train.pixels.count) / 255
        #expect(abs(mean - 0.2860) < 0.0005)
        let x = train.images(at: [0, 1])
        #expect(x.shape == [2, 1, 28, 28] && x.data.max()! == 1 && x.data.min()! == 0)
    }

    /// An empty split is an error, not a run that "finishes" with NaN metrics.
    @Test func emptySetIsRefused() throws {
        let dir = TemporaryDirectory("empty-mnist")
        for split in ["train", "t10k"] {
            try IDX.write(IDXArray(dataType: .uint8, shape: [0, 28, 28], bytes: []), to: dir.file("\(split)-images-idx3-ubyte"))
            try IDX.write(IDXArray(dataType: .uint8, shape: [0], bytes: []), to: dir.file("\(split)-labels-idx1-ubyte"))
        }
        do {
            _ = try FashionMNIST.load(split: .test, dataDirectory: dir.path)
            Issue.record("an empty test set was accepted")
        } catch {
            #expect("\(error)".contains("holds no images"), "\(error)")
        }
    }

    @Test func missingFilesNameTheInstallCommand() {
        let dir = TempDirectory()
        let e = dataError { _ = try FashionMNIST.load(split: .train, dataDirectory: dir.path) }
        let message = e?.description ?? ""
        #expect(message.contains("sudo apt-get install dataset-fashion-mnist"))
        #expect(message.contains("--data-dir") && message.contains("WORKBENCH_DATA"))
        #expect(message.contains("train-images-idx3-ubyte.gz") && message.contains(dir.path))
    }

    @Test func directoryPrecedence() {
        let dir = TempDirectory()
        #expect(FashionMNIST.resolveDirectory("/given", environment: ["WORKBENCH_DATA": "/env"]) == "/given")
        #expect(FashionMNIST.resolveDirectory(nil, environment: ["WORKBENCH_DATA": "/env"]) == "/env")
        #expect(FashionMNIST.resolveDirectory(nil, environment: [:]) == FashionMNIST.defaultDirectory)
        // A parent directory holding fashion-mnist/ is accepted too.
        let nested = dir.file("fashion-mnist")
        try! FileManager.default.createDirectory(atPath: nested, withIntermediateDirectories: true)
        writeTinyMNIST(in: nested, split: .train, compressed: true)
        #expect(FashionMNIST.resolveDirectory(dir.path, environment: [:]) == nested)
    }

    @Test func userDirectoryOfUncompressedFiles() throws {
        let dir = TempDirectory()
        writeTinyMNIST(in: dir.path, split: .test, compressed: false)
        let data = try MNISTFormat.load(.test, directory: dir.path, classNames: (0..<10).map(String.init))
        #expect(data.count == 5 && data.height == 28 && data.labels.data == [0, 1, 2, 3, 4])
        #expect(data.pixels[28 * 28 * 2] == 2)
        // Labels beyond the class list and count mismatches are errors naming the file.
        let e = dataError { _ = try MNISTFormat.load(.test, directory: dir.path, classNames: ["a", "b"]) }
        #expect(e?.reason.contains("label 2 of item 2 is outside 0..<2") == true)
        try IDX.write(IDXArray(dataType: .uint8, shape: [4], bytes: [0, 1, 2, 3]), to: dir.file("t10k-labels-idx1-ubyte"))
        let m = dataError { _ = try MNISTFormat.load(.test, directory: dir.path, classNames: (0..<10).map(String.init)) }
        #expect(m?.reason.contains("5 images") == true && m?.reason.contains("4 labels") == true)
    }
}

/// Five 28x28 images whose pixels all equal their index, labelled 0...4.
func writeTinyMNIST(in directory: String, split: Split, compressed: Bool) {
    let suffix = compressed ? ".gz" : ""
    let p = split.mnistPrefix
    let pixels = (0..<5).flatMap { Array(repeating: UInt8($0), count: 28 * 28) }
    try! IDX.write(IDXArray(dataType: .uint8, shape: [5, 28, 28], bytes: pixels),
                   to: "\(directory)/\(p)-images-idx3-ubyte\(suffix)")
    try! IDX.write(IDXArray(dataType: .uint8, shape: [5], bytes: [0, 1, 2, 3, 4]),
                   to: "\(directory)/\(p)-labels-idx1-ubyte\(suffix)")
}

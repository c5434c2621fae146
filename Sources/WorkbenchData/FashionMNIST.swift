// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, Zalando Research, MIT licence) and any directory of
// MNIST-format IDX files. The default location is where Debian's `dataset-fashion-mnist` puts it.
import Foundation

/// Which half of a data set.
public enum Split: String, Sendable, CaseIterable {
    case train, test

    /// The IDX file-name prefix MNIST uses for this split.
    public var mnistPrefix: String { self == .train ? "train" : "t10k" }
}

/// Loader for directories holding the four MNIST-format files
/// `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`, `t10k-images-idx3-ubyte[.gz]`,
/// `t10k-labels-idx1-ubyte[.gz]` (MNIST, Fashion-MNIST, KMNIST and friends).
public enum MNISTFormat {
    /// The image and label file names of `split`, compressed names first.
    public static func fileNames(_ split: Split) -> (images: [String], labels: [String]) {
        let p = split.mnistPrefix
        return (["\(p)-images-idx3-ubyte.gz", "\(p)-images-idx3-ubyte", "\(p)-images.idx3-ubyte"],
                ["\(p)-labels-idx1-ubyte.gz", "\(p)-labels-idx1-ubyte", "\(p)-labels.idx1-ubyte"])
    }

    /// The first of `names` present in `directory`, or nil.
    static func find(_ names: [String], in directory: String) -> String? {
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.isReadableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Whether `directory` holds both files of `split`.
    public static func isPresent(_ split: Split, in directory: String) -> Bool {
        let names = fileNames(split)
        return find(names.images, in: directory) != nil && find(names.labels, in: directory) != nil
    }

    /// Loads one split from `directory`. `missingHint` is appended to the error when files are absent.
    public static func load(_ split: Split, directory: String, classNames: [String],
                            missingHint: String = "") throws -> ImageDataset {
        let names = fileNames(split)
        guard let imagePath = find(names.images, in: directory),
              let labelPath = find(names.labels, in: directory) else {
            let missing = [find(names.images, in: directory) == nil ? names.images[0] : nil,
                           find(names.labels, in: directory) == nil ? names.labels[0] : nil].compactMap { $0 }
            throw DataError(path: directory, "missing \(missing.joined(separator: " and ")) (or the same without .gz)" + missingHint)
        }
        let images = try IDX.read(imagePath)
        let labels = try IDX.read(labelPath)

        guard images.dataType == .uint8, images.shape.count == 3 else {
            throw DataError(path: imagePath, "expected uint8 images with 3 dimensions [N, H, W] (magic 0x00000803), found \(images.dataType) with shape \(images.shape)")
        }
        guard labels.dataType == .uint8, labels.shape.count == 1 else {
            throw DataError(path: labelPath, "expected uint8 labels with 1 dimension [N] (magic 0x00000801), found \(labels.dataType) with shape \(labels.shape)")
        }
        guard images.shape[0] > 0 else { throw DataError(path: imagePath, "holds no images (N = 0): nothing to train or evaluate on") }
        guard images.shape[0] == labels.shape[0] else {
            throw DataError(path: directory, "\(images.shape[0]) images in \(imagePath) but \(labels.shape[0]) labels in \(labelPath)")
        }
        let labelValues = labels.bytes.map { Int($0) }
        if let bad = labelValues.firstIndex(where: { $0 >= classNames.count }) {
            throw DataError(path: labelPath, "label \(labelValues[bad]) of item \(bad) is outside 0..<\(classNames.count)")
        }
        return ImageDataset(pixels: images.bytes, count: images.shape[0], channels: 1,
                            height: images.shape[1], width: images.shape[2],
                            labels: IndexTensor(labelValues), classNames: classNames)
    }
}

/// Fashion-MNIST: 60,000 training and 10,000 test greyscale 28x28 images of 10 clothing classes.
public enum FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` package installs the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    /// Environment variable that overrides the default directory.
    public static let environmentVariable = "WORKBENCH_DATA"
    /// The command that installs the data set on Debian.
    public static let installCommand = "sudo apt-get install dataset-fashion-mnist"

    /// Class names in label order, as in the data set's documentation.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// The directory to read: `dataDirectory` if given, else `$WORKBENCH_DATA`, else the Debian path.
    /// `WORKBENCH_DATA` may name the files' directory itself or a parent holding `fashion-mnist/`.
    public static func resolveDirectory(_ dataDirectory: String? = nil,
                                        environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        for candidate in [dataDirectory, environment[environmentVariable]] {
            guard let dir = candidate, !dir.isEmpty else { continue }
            let nested = (dir as NSString).appendingPathComponent("fashion-mnist")
            if !MNISTFormat.isPresent(.train, in: dir) && !MNISTFormat.isPresent(.test, in: dir)
                && (MNISTFormat.isPresent(.train, in: nested) || MNISTFormat.isPresent(.test, in: nested)) {
                return nested
            }
            return dir
        }
        return defaultDirectory
    }

    /// Loads one split. Files missing: one error naming the install command and the overrides.
    public static func load(split: Split, dataDirectory: String? = nil) throws -> ImageDataset {
        let directory = resolveDirectory(dataDirectory)
        let hint = ". Fashion-MNIST is not installed here: install it with `\(installCommand)`"
            + " (or `make deps`), or point --data-dir or \(environmentVariable) at a directory of MNIST-format files."
        let data = try MNISTFormat.load(split, directory: directory, classNames: classNames, missingHint: hint)
        guard data.height == 28, data.width == 28 else {
            throw DataError(path: directory, "Fashion-MNIST images are 28x28, these are \(data.height)x\(data.width)")
        }
        return data
    }
}

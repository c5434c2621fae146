// TensorBoard event files: CRC-32C against the RFC 3720 vectors, TFRecord framing, and a run's
// event file read back record by record (version, scalars, images).
import Foundation
import Testing
import WorkbenchData
import WorkbenchRun
import WorkbenchTesting

@Suite struct TensorBoardTests {
    @Test func crc32cKnownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
        #expect(CRC32C.checksum([UInt8]()) == 0 && CRC32C.masked(0) == 0xA282_EAD8)
    }

    @Test func framingRoundTripsAndChecksumsAreChecked() throws {
        let data: [UInt8] = Array("a record".utf8)
        var bytes = EventFile.record(data) + EventFile.record([])
        #expect(bytes.count == 16 + data.count + 16)
        #expect(try EventFile.records(bytes) == [data, []])
        bytes[13] ^= 1
        #expect(throws: RunError.self) { try EventFile.records(bytes) }
        #expect(throws: RunError.self) { try EventFile.records(Array(EventFile.record(data).dropLast())) }
    }

    @Test func runWritesScalarsAndImages() throws {
        let dir = TemporaryDirectory("tensorboard")
        let run = try ExperimentRun(paper: "toy", preset: "quick", seed: 1, epochs: 1, dataDirectory: nil, root: dir.path)
        try run.log(step: 20, ["train_loss": 0.5])
        try run.log(epoch: 1, step: 40, ["train_loss": 0.25, "test_accuracy": 0.75])
        try run.plot("loss", title: "toy", x: "epoch", series: ["train_loss"], yLabel: "loss")
        _ = try run.writeSummary(["test_accuracy": 0.75])
        let files = try FileManager.default.contentsOfDirectory(atPath: run.directory).filter { $0.hasPrefix("events.out.tfevents.") }
        #expect(files.count == 1)
        let events = try EventFile.events(atPath: run.directory + "/" + files[0])
        #expect(events.first?.fileVersion == "brain.Event:2")
        let scalars = events.flatMap { e in e.summary.value.filter { $0.image.encodedImageString.isEmpty }.map { ($0.tag, $0.simpleValue, e.step) } }
        #expect(scalars.map(\.0) == ["train_loss", "epoch/test_accuracy", "epoch/train_loss"])
        #expect(scalars.map(\.1) == [0.5, 0.75, 0.25] && scalars.map(\.2) == [20, 40, 40])
        let images = events.flatMap(\.summary.value).filter { !$0.image.encodedImageString.isEmpty }
        #expect(images.map(\.tag) == ["plots/loss"])
        #expect(images.first.map { ($0.image.width, $0.image.height, $0.image.colorspace) } ?? (0, 0, 0) == (800, 500, 3))
        let png = try Bitmap.readPNG(run.plotsDirectory + "/loss.png")
        #expect(png.width == 800 && [UInt8](images[0].image.encodedImageString) == [UInt8](FileManager.default.contents(atPath: run.plotsDirectory + "/loss.png")!))
    }
}

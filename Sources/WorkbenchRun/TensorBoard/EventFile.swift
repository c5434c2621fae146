// TensorBoard event files: each run directory also holds events.out.tfevents.* with every logged
// value as a scalar and the plots and samples as images, so that `tensorboard --logdir runs` shows
// all runs side by side.
import Foundation
import SwiftProtobuf
import WorkbenchData

/// One `events.out.tfevents.<time>.<host>.<pid>` file, appended one TFRecord at a time.
public final class EventFile {
    public let path: String
    let handle: FileHandle

    /// Creates a new event file in `directory` (a resumed run gets a file of its own) and writes
    /// the version record TensorBoard expects first.
    public init(directory: String, wallTime: Double = Date().timeIntervalSince1970) throws {
        path = "\(directory)/events.out.tfevents.\(Int(wallTime)).\(ProcessInfo.processInfo.hostName).\(getpid())"
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw RunError.invalid("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        self.handle = handle
        var event = Tensorboard_Event()
        event.wallTime = wallTime
        event.fileVersion = "brain.Event:2"
        try write(event)
    }

    deinit { try? handle.close() }

    /// One scalar per value, tagged by its key, at `step`.
    public func scalars(_ values: [String: Double], step: Int, wallTime: Double) throws {
        var summary = Tensorboard_Summary()
        summary.value = values.keys.sorted().map { tag in
            var v = Tensorboard_Summary.Value()
            v.tag = tag
            v.simpleValue = Float(values[tag]!)
            return v
        }
        try write(summary, step: step, wallTime: wallTime)
    }

    /// A PNG file's bytes as an image summary tagged `tag`.
    public func image(_ tag: String, png: [UInt8], step: Int, wallTime: Double) throws {
        // IHDR: width and height at bytes 16-23, colour type at 25 (0 grey, 2 RGB, 4 grey+alpha, 6 RGBA).
        guard png.count > 25, png.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { throw RunError.invalid("\(tag): not a PNG image") }
        let be = { (i: Int) in png[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var image = Tensorboard_Summary.Image()
        image.width = Int32(be(16))
        image.height = Int32(be(20))
        image.colorspace = [0: 1, 2: 3, 4: 2, 6: 4][Int(png[25])] ?? 3
        image.encodedImageString = Data(png)
        var v = Tensorboard_Summary.Value()
        v.tag = tag
        v.image = image
        var summary = Tensorboard_Summary()
        summary.value = [v]
        try write(summary, step: step, wallTime: wallTime)
    }

    func write(_ summary: Tensorboard_Summary, step: Int, wallTime: Double) throws {
        var event = Tensorboard_Event()
        event.wallTime = wallTime
        event.step = Int64(step)
        event.summary = summary
        try write(event)
    }

    func write(_ event: Tensorboard_Event) throws {
        do { try handle.write(contentsOf: Self.record(try event.serializedBytes())) } catch {
            throw RunError.invalid("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// TFRecord framing: the length (UInt64, little-endian), its masked CRC-32C, the data, and the
    /// data's masked CRC-32C (UInt32s little-endian).
    public static func record(_ data: [UInt8]) -> [UInt8] {
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian, Array.init)
        let crc = { (bytes: [UInt8]) in withUnsafeBytes(of: CRC32C.masked(CRC32C.checksum(bytes)).littleEndian, Array.init) }
        return length + crc(length) + data + crc(data)
    }

    /// The events of an event file (for tests and checks).
    public static func events(atPath path: String) throws -> [Tensorboard_Event] {
        let bytes = try readFileBytes(path)
        return try records(bytes).map { try Tensorboard_Event(serializedBytes: $0) }
    }

    /// The records of an event file's bytes; a truncated record or a wrong checksum is an error.
    public static func records(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var out: [[UInt8]] = [], i = 0
        func u32(_ at: Int) -> UInt32 { bytes[at..<(at + 4)].reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        while i < bytes.count {
            guard i + 12 <= bytes.count else { throw RunError.invalid("truncated record header at byte \(i)") }
            let header = Array(bytes[i..<(i + 8)])
            guard CRC32C.masked(CRC32C.checksum(header)) == u32(i + 8) else { throw RunError.invalid("bad length checksum at byte \(i)") }
            let n = Int(header.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            guard i + 12 + n + 4 <= bytes.count else { throw RunError.invalid("truncated record at byte \(i)") }
            let data = Array(bytes[(i + 12)..<(i + 12 + n)])
            guard CRC32C.masked(CRC32C.checksum(data)) == u32(i + 12 + n) else { throw RunError.invalid("bad data checksum at byte \(i)") }
            out.append(data)
            i += 16 + n
        }
        return out
    }
}

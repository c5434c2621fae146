// Whole-file reads and atomic writes, and gzip decompression/compression through zlib.
import CZlib
import Foundation

/// Reads a whole file; throws `DataError` naming the file when it is missing or unreadable.
public func readFileBytes(_ path: String) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw DataError(path: path, "no such file")
    }
    if isDirectory.boolValue { throw DataError(path: path, "is a directory, expected a file") }
    guard let handle = FileHandle(forReadingAtPath: path) else {
        throw DataError(path: path, "cannot be opened for reading")
    }
    defer { try? handle.close() }
    do {
        return [UInt8](try handle.readToEnd() ?? Data())
    } catch {
        throw DataError(path: path, "read failed: \(error.localizedDescription)")
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`, so a reader
/// (or a crash) never sees a half-written file.
public func writeFileAtomically(_ path: String, _ bytes: [UInt8]) throws {
    try writeAtomically(path) { tmp in
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DataError(path: path, "cannot create a file beside it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw DataError(path: path, "cannot write: \(String(cString: strerror(errno)))") }
            written += n
        }
    }
}

/// Runs `write` on a fresh temporary path beside `path` and renames the result into place.
func writeAtomically(_ path: String, _ write: (String) throws -> Void) throws {
    let tmp = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    do {
        try write(tmp)
    } catch {
        unlink(tmp)
        throw error
    }
    if rename(tmp, path) != 0 {
        let message = String(cString: strerror(errno))
        unlink(tmp)
        throw DataError(path: path, "cannot move the written file into place: \(message)")
    }
}

/// Gzip (RFC 1952) through zlib.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Inflates a gzip stream (several concatenated members allowed, as `gzip` itself allows).
    /// A corrupt or truncated stream throws a `DataError` naming `name`.
    public static func decompress(_ bytes: [UInt8], name: String) throws -> [UInt8] {
        guard isGzip(bytes) else { throw DataError(path: name, "not a gzip stream (no 1f 8b magic)") }
        // The trailer's ISIZE (length mod 2^32) sizes the first buffer. It is only a hint: in a
        // truncated file those bytes are arbitrary, so it is capped by deflate's best possible
        // ratio (about 1032:1) rather than trusted with a multi-gigabyte allocation.
        var capacity = 1 << 16
        if bytes.count >= 18 {
            let n = bytes.count
            let isize = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
            capacity = max(capacity, min(isize + 1, n * 1032))
        }
        var out = [UInt8](repeating: 0, count: capacity)
        var produced = 0
        try bytes.withUnsafeBufferPointer { input in
            var stream = z_stream()
            // 15 + 16: a gzip wrapper with the largest window.
            guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw DataError(path: name, "zlib inflateInit failed")
            }
            defer { inflateEnd(&stream) }
            var consumed = 0
            while consumed < input.count {
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                stream.avail_in = UInt32(min(input.count - consumed, Int(UInt32.max)))
                var status: Int32 = Z_OK
                repeat {
                    if produced == out.count {
                        out.append(contentsOf: repeatElement(0, count: out.count))
                    }
                    let room = min(out.count - produced, Int(UInt32.max))
                    status = out.withUnsafeMutableBufferPointer { o in
                        stream.next_out = o.baseAddress! + produced
                        stream.avail_out = UInt32(room)
                        let s = inflate(&stream, Z_NO_FLUSH)
                        produced += room - Int(stream.avail_out)
                        return s
                    }
                    if status == Z_DATA_ERROR || status == Z_NEED_DICT || status == Z_STREAM_ERROR || status == Z_MEM_ERROR {
                        let msg = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                        throw DataError(path: name, "corrupt gzip data after \(produced) decompressed bytes: \(msg)")
                    }
                    if stream.avail_in == 0 && status != Z_STREAM_END && stream.avail_out != 0 {
                        throw DataError(path: name, "truncated gzip stream: the file ends after \(produced) decompressed bytes")
                    }
                } while status != Z_STREAM_END
                consumed = input.count - Int(stream.avail_in)
                // Another member may follow; anything else after the end is an error.
                let rest = input.count - consumed
                if rest == 0 { break }
                if rest >= 2 && input[consumed] == 0x1F && input[consumed + 1] == 0x8B {
                    inflateReset(&stream)
                } else if input[consumed...].allSatisfy({ $0 == 0 }) {
                    break  // zero padding after the stream (tape archives) is harmless
                } else {
                    throw DataError(path: name, "\(rest) unexpected bytes after the end of the gzip stream")
                }
            }
        }
        out.removeSubrange(produced...)
        return out
    }

    /// Compresses `bytes` into a single gzip member.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let ok = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                               ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(ok == Z_OK, "zlib deflateInit2 failed (\(ok))")
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { o in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = o.baseAddress
                stream.avail_out = UInt32(o.count)
                let status = deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "zlib deflate did not finish (\(status))")
            }
        }
        out.removeSubrange(Int(stream.total_out)...)
        return out
    }

    /// Reads a file, inflating it when it is gzip-compressed (detected by content, not name).
    public static func readMaybeCompressed(_ path: String) throws -> [UInt8] {
        let raw = try readFileBytes(path)
        return isGzip(raw) ? try decompress(raw, name: path) : raw
    }
}

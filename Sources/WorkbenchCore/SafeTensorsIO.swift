// File input and atomic output for safetensors, on POSIX calls so every failure carries errno's
// reason and the path.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func reason() -> String { String(cString: strerror(errno)) }

/// The whole file at `path`.
func readWholeFile(_ path: String) throws(SafeTensorsError) -> [UInt8] {
    func fail(_ message: String) -> SafeTensorsError { SafeTensorsError(file: path, message: message) }
    // Non-blocking, so that opening a FIFO returns (and fails the regular-file check below)
    // instead of waiting for a writer forever; regular files read the same either way.
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { throw fail("cannot open for reading: \(reason())") }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw fail("cannot stat: \(reason())") }
    guard (info.st_mode & S_IFMT) == S_IFREG else { throw fail("not a regular file") }

    // Sized from fstat, but read to end of file in case it changes underneath.
    var buffer = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
    var filled = 0
    while true {
        if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: max(buffer.count, 1 << 16))) }
        let r = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + filled, raw.count - filled) }
        if r < 0 {
            if errno == EINTR { continue }
            throw fail("read failed: \(reason())")
        }
        if r == 0 { break }
        filled += r
    }
    buffer.removeSubrange(filled...)
    return buffer
}

/// Replaces `path` with `bytes` so that a reader sees either the old or the new file: the bytes go
/// to a fresh temporary file in the same directory (same filesystem, so rename is atomic), are
/// flushed with fsync, and the temporary is renamed over `path`. On failure it is removed.
func writeFileAtomically(_ bytes: [UInt8], to path: String) throws(SafeTensorsError) {
    func fail(_ message: String) -> SafeTensorsError { SafeTensorsError(file: path, message: message) }
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[...$0]) } ?? ""
    let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
    guard !base.isEmpty else { throw fail("path names a directory, not a file") }

    var fd: Int32 = -1
    var temporary = ""
    for _ in 0..<16 {
        temporary = "\(directory).\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd >= 0 || errno != EEXIST { break }
    }
    guard fd >= 0 else { throw fail("cannot create a temporary file in its directory: \(reason())") }

    var written = 0
    let failure: String? = bytes.withUnsafeBytes { raw in
        while written < raw.count {
            let w = write(fd, raw.baseAddress! + written, raw.count - written)
            if w < 0 {
                if errno == EINTR { continue }
                return "write failed: \(reason())"
            }
            written += w
        }
        return nil
    }
    if let failure {
        close(fd)
        unlink(temporary)
        throw fail(failure)
    }
    if fsync(fd) != 0 {
        let why = reason()
        close(fd)
        unlink(temporary)
        throw fail("fsync failed: \(why)")
    }
    if close(fd) != 0 {
        let why = reason()
        unlink(temporary)
        throw fail("close failed: \(why)")
    }
    if rename(temporary, path) != 0 {
        let why = reason()
        unlink(temporary)
        throw fail("cannot rename the temporary file into place: \(why)")
    }
    // Make the rename itself durable; a failure here cannot undo it, so it is not reported.
    let dirfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
    if dirfd >= 0 {
        _ = fsync(dirfd)
        close(dirfd)
    }
}

// IDX reading and writing: round trips (plain and gzip) and every kind of corruption giving a
// descriptive error instead of a crash.
import Foundation
import Testing
import WorkbenchData

@Suite struct IDXTests {
    let images = IDXArray(dataType: .uint8, shape: [3, 2, 4], bytes: (0..<24).map { UInt8($0 * 10) })
    let labels = IDXArray(dataType: .uint8, shape: [3], bytes: [7, 0, 9])

    @Test func headerIsBigEndianWithMagic() {
        let bytes = IDX.encode(images)
        #expect(Array(bytes.prefix(16)) == [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4])
        #expect(images.magic == 0x0000_0803 && labels.magic == 0x0000_0801)
    }

    @Test func roundTripPlainAndGzip() throws {
        let dir = TempDirectory()
        for name in ["images-idx3-ubyte", "images-idx3-ubyte.gz"] {
            try IDX.write(images, to: dir.file(name))
            let back = try IDX.read(dir.file(name))
            #expect(back.shape == [3, 2, 4] && back.dataType == .uint8 && back.bytes == images.bytes)
        }
        #expect(Gzip.isGzip(try readFileBytes(dir.file("images-idx3-ubyte.gz"))))
        try IDX.write(labels, to: dir.file("labels.gz"))
        #expect(try IDX.read(dir.file("labels.gz")).intValues() == [7, 0, 9])
    }

    @Test func otherElementTypesConvert() throws {
        // float32 1.5 and -2, big-endian; int16 -2 and 300.
        let f = IDXArray(dataType: .float32, shape: [2], bytes: [0x3F, 0xC0, 0, 0, 0xC0, 0, 0, 0])
        let back = try IDX.parse(IDX.encode(f), name: "f")
        #expect(back.floatValues() == [1.5, -2] && back.intValues() == nil)
        let s = IDXArray(dataType: .int16, shape: [2], bytes: [0xFF, 0xFE, 0x01, 0x2C])
        #expect(s.intValues() == [-2, 300])
    }

    @Test func truncatedFilesAreDescriptiveErrors() throws {
        let full = IDX.encode(images)
        for length in [0, 3, 4, 9, 15, 16, 17, full.count - 1] {
            let e = dataError { _ = try IDX.parse(Array(full.prefix(length)), name: "t.idx") }
            #expect(e?.path == "t.idx", "length \(length)")
            let reason = e?.reason ?? ""
            #expect(reason.contains("truncated") || reason.contains("too short"), "length \(length): \(reason)")
        }
        let e = dataError { _ = try IDX.parse(full + [1, 2], name: "t.idx") }
        #expect(e?.reason.contains("2 more bytes") == true)
        // An image file whose magic says rank 2: the header is read as [N, 28] and the rest is left over.
        var rankTwo = full
        rankTwo[3] = 2
        let wrongRank = dataError { _ = try IDX.parse(rankTwo, name: "t.idx") }
        #expect(wrongRank?.reason.contains("wrong rank or dimension") == true, "\(wrongRank?.reason ?? "")")
    }

    @Test func wrongMagicAndAbsurdDimensions() {
        var bytes = IDX.encode(labels)
        bytes[0] = 0x1F
        #expect(dataError { _ = try IDX.parse(bytes, name: "m") }?.reason.contains("wrong magic number 0x1F000801") == true)
        bytes = IDX.encode(labels)
        bytes[2] = 0x07
        #expect(dataError { _ = try IDX.parse(bytes, name: "m") }?.reason.contains("unknown IDX element type") == true)
        bytes = IDX.encode(labels)
        bytes[3] = 0
        #expect(dataError { _ = try IDX.parse(bytes, name: "m") }?.reason.contains("rank 0") == true)
        // Three dimensions of 2^32 - 1: the product overflows; must be rejected, not allocated.
        let absurd: [UInt8] = [0, 0, 8, 3] + Array(repeating: 0xFF, count: 12) + [1, 2, 3]
        #expect(dataError { _ = try IDX.parse(absurd, name: "m") }?.reason.contains("absurd dimensions") == true)
        // Plausible-looking but too large for the bytes present.
        let big: [UInt8] = [0, 0, 8, 3, 0, 0, 0xEA, 0x60, 0, 0, 0, 28, 0, 0, 0, 28, 5]
        #expect(dataError { _ = try IDX.parse(big, name: "m") }?.reason.contains("needs 47040016 bytes") == true)
    }

    @Test func corruptGzipIsAnError() throws {
        let dir = TempDirectory()
        let gz = Gzip.compress(IDX.encode(images))
        // Cut inside the deflate data and inside the trailer.
        for cut in [2, 12, gz.count / 2, gz.count - 3] {
            let path = dir.write("cut\(cut).gz", Array(gz.prefix(cut)))
            let e = dataError { _ = try IDX.read(path) }
            #expect(e?.path == path)
            #expect(e?.reason.contains("gzip") == true, "cut \(cut): \(e?.reason ?? "no error")")
        }
        var flipped = gz
        for i in 10..<min(30, gz.count - 8) { flipped[i] ^= 0xA5 }
        let path = dir.write("bad.gz", flipped)
        let e = dataError { _ = try IDX.read(path) }
        #expect(e?.reason.contains("gzip") == true, "\(e?.reason ?? "no error")")
        #expect(dataError { _ = try IDX.read(dir.file("absent.gz")) }?.reason == "no such file")
    }

    @Test func gzipHandlesConcatenatedMembersAndLargeData() throws {
        let a = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let b: [UInt8] = Array("tail".utf8)
        #expect(try Gzip.decompress(Gzip.compress(a) + Gzip.compress(b), name: "x") == a + b)
        // A damaged length trailer fails zlib's check instead of passing silently.
        var lying = Gzip.compress(a)
        lying[lying.count - 4 ..< lying.count] = [1, 0, 0, 0]
        #expect(dataError { _ = try Gzip.decompress(lying, name: "x") }?.reason.contains("gzip") == true)
    }
}

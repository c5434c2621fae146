// Tests of safetensors reading and writing: round trips, a file written by PyTorch, every
// validation error, a seeded corruption fuzz, and atomic writes.
import Foundation
import Testing
import WorkbenchTesting

@Suite struct SafeTensorsTests {
    static let fixtureDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/safetensors")
    static let referencePath = fixtureDirectory.appendingPathComponent("reference.safetensors").path

    // MARK: Round trips

    /// A file exercising every writer path; the Python check script expects exactly these values.
    static func sampleFile() -> SafeTensorsFile {
        var f = SafeTensorsFile()
        f.set("weight", Tensor(shape: [2, 3], data: (0..<6).map { (Float($0) - 2.5) * 0.25 }))
        f.set("labels", IndexTensor([-3, 0, 7, 1 << 40]))
        f.set("f64", SafeTensorsTensor(dtype: .F64, shape: [2], bytes: doubleBytes([1.0 / 3.0, -1e300])))
        f.set("scalar", Tensor(42.5))
        f.set("empty", Tensor.zeros([0, 2]))
        f.set("mask", SafeTensorsTensor(dtype: .BOOL, shape: [3], bytes: [1, 0, 1]))
        f.metadata = ["format": "workbench-test", "note": "\u{fc} \"q\" \\ \n\t\u{1}"]
        return f
    }

    static func doubleBytes(_ values: [Double]) -> [UInt8] {
        values.flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * UInt64($0))) } }
    }

    static func doubles(_ bytes: [UInt8]) -> [Double] {
        stride(from: 0, to: bytes.count, by: 8).map { i in
            Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[i + $1]) << (8 * UInt64($1)) })
        }
    }

    static func expectSameContents(_ a: SafeTensorsFile, _ b: SafeTensorsFile) {
        #expect(a.names == b.names)
        #expect(a.metadata == b.metadata)
        for name in a.names { #expect(a[name] == b[name], "tensor \(name)") }
    }

    @Test func roundTripThroughBytes() throws {
        let f = Self.sampleFile()
        let bytes = f.serialized()
        let headerSize = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
        #expect(headerSize % 8 == 0)
        #expect(bytes.count == 8 + headerSize + 24 + 32 + 16 + 4 + 0 + 3)

        let g = try SafeTensorsFile(bytes: bytes)
        Self.expectSameContents(f, g)
        #expect(g.names == ["weight", "labels", "f64", "scalar", "empty", "mask"])
        #expect(try g.tensor("weight").data == [-0.625, -0.375, -0.125, 0.125, 0.375, 0.625])
        #expect(try g.tensor("weight").shape == [2, 3])
        #expect(try g.indexTensor("labels") == IndexTensor([-3, 0, 7, 1 << 40]))
        #expect(Self.doubles(g["f64"]!.bytes) == [1.0 / 3.0, -1e300])
        #expect(try g.tensor("f64").data == [Float(1.0 / 3.0), -.infinity])
        #expect(try g.tensor("scalar").shape == [])
        #expect(try g.tensor("scalar").item() == 42.5)
        #expect(try g.tensor("empty").shape == [0, 2])
        #expect(try g.indexTensor("mask").data == [1, 0, 1])
        #expect(g.serialized() == bytes, "serialization is deterministic")
    }

    @Test func roundTripThroughFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/sample.safetensors"
        let f = Self.sampleFile()
        try f.write(to: path)
        let g = try SafeTensorsFile(contentsOf: path)
        Self.expectSameContents(f, g)
        #expect(g.serialized() == f.serialized())

        // Dev-time hook: `check_safetensors_roundtrip.py` loads this file in PyTorch.
        if let export = ProcessInfo.processInfo.environment["WORKBENCH_SAFETENSORS_EXPORT"] {
            try f.write(to: export)
        }
    }

    @Test func setReplaceAndRemove() throws {
        var f = SafeTensorsFile()
        f.set("a", Tensor([1, 2]))
        f.set("b", IndexTensor([3]))
        f.set("a", Tensor([5]))
        #expect(f.names == ["a", "b"], "a replaced tensor keeps its place")
        #expect(try f.tensor("a").data == [5])
        f.remove("a")
        f.remove("missing")
        #expect(f.names == ["b"])
        #expect(f["a"] == nil)
        let g = try SafeTensorsFile(bytes: f.serialized())
        #expect(g.names == ["b"])
        #expect(try SafeTensorsFile(bytes: SafeTensorsFile().serialized()).names.isEmpty)
    }

    @Test func accessorsRejectMissingNamesAndWrongKinds() throws {
        let f = try SafeTensorsFile(bytes: Self.sampleFile().serialized(), source: "sample.st")
        #expect(throws: SafeTensorsError.self) { try f.tensor("nope") }
        #expect(throws: SafeTensorsError.self) { try f.indexTensor("nope") }
        #expect(throws: SafeTensorsError.self) { try f.tensor("labels") }
        #expect(throws: SafeTensorsError.self) { try f.tensor("mask") }
        #expect(throws: SafeTensorsError.self) { try f.indexTensor("weight") }
        do {
            _ = try f.tensor("labels")
        } catch {
            #expect(error.file == "sample.st")
            #expect(error.message.contains("'labels'") && error.message.contains("I64"), "\(error)")
        }
    }

    // MARK: A file written by PyTorch

    @Test func readsFileWrittenByPyTorch() throws {
        let f = try SafeTensorsFile(contentsOf: Self.referencePath)
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.fixtureDirectory.appendingPathComponent("reference.json"))) as! [String: Any]
        #expect(f.metadata == json["metadata"] as! [String: String])

        let expected = json["tensors"] as! [String: [String: Any]]
        #expect(Set(f.names) == Set(expected.keys))
        // PyTorch's writer orders by alignment, then name; empty tensors sort first at a tie.
        #expect(f.names == ["i64", "f64", "empty", "f32", "layer.0.weight", "scalar",
                            "i32", "bf16", "f16", "i16", "i8", "u8", "bool"])
        for (name, e) in expected {
            let stored = try #require(f[name])
            let shape = (e["shape"] as! [NSNumber]).map(\.intValue)
            #expect(stored.dtype.rawValue == e["dtype"] as! String, "\(name)")
            #expect(stored.shape == shape, "\(name)")
            let values = e["values"] as! [NSNumber]
            if stored.dtype.isFloatingPoint {
                let t = try f.tensor(name)
                #expect(t.shape == shape)
                #expect(t.data == values.map { Float($0.doubleValue) }, "\(name)")
                if stored.dtype == .F64 { #expect(Self.doubles(stored.bytes) == values.map(\.doubleValue)) }
            } else {
                let t = try f.indexTensor(name)
                #expect(t.shape == shape)
                #expect(t.data == values.map { Int($0.int64Value) }, "\(name)")
            }
        }
        // Our writer reproduces PyTorch's file byte for byte (same compact header and padding).
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.referencePath)))
        #expect(f.serialized() == original)
    }

    // MARK: Validation, one case per rule

    /// A file image from a header text and a data buffer; `size` overrides the header size field.
    static func image(_ header: String, data: [UInt8] = [], size: UInt64? = nil) -> [UInt8] {
        image(Array(header.utf8), data: data, size: size)
    }

    static func image(_ header: [UInt8], data: [UInt8] = [], size: UInt64? = nil) -> [UInt8] {
        let n = size ?? UInt64(header.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + header + data
    }

    static func entry(_ dtype: String = "\"F32\"", _ shape: String = "[2]", _ offsets: String = "[0,8]") -> String {
        "{\"dtype\":\(dtype),\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    static let eight = [UInt8](repeating: 0, count: 8)

    @Test(arguments: [
        ([1, 2, 3, 4, 5], "shorter than the 8-byte"),
        (image("{}", size: 200_000_000), "exceeds the limit"),
        (image("{}", size: 3), "exceeds the 2 bytes after the size field"),
        (image(""), "header is empty"),
        (image("[]"), "does not start with '{'"),
        (image([UInt8(ascii: "{"), 0xFF, UInt8(ascii: "}")]), "not valid UTF-8"),
        (image("{\"a\":"), "not valid JSON"),
        (image("{\"a\":1}"), "entry for tensor 'a' is the number 1"),
        (image("{\"a\":\(entry()), \"a\":\(entry())}", data: eight), "duplicate key \"a\""),
        (image("{\"a\":\(entry())} x", data: eight), "unexpected content after"),
        (image("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", data: eight), "tensor 'a' has no dtype"),
        (image("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", data: eight), "tensor 'a' has no shape"),
        (image("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", data: eight), "tensor 'a' has no data_offsets"),
        (image("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", data: eight), "unexpected field \"x\""),
        (image("{\"a\":\(entry("5"))}", data: eight), "dtype is the number 5"),
        (image("{\"a\":\(entry("\"F8_E4M3\""))}", data: eight), "unsupported dtype \"F8_E4M3\""),
        (image("{\"a\":\(entry("\"F32\"", "\"2\""))}", data: eight), "shape is a string"),
        (image("{\"a\":\(entry("\"F32\"", "[-2]"))}", data: eight), "-2, which is negative"),
        (image("{\"a\":\(entry("\"F32\"", "[2.0]"))}", data: eight), "2.0, which is not an integer"),
        (image("{\"a\":\(entry("\"F32\"", "[2e0]"))}", data: eight), "2e0, which is not an integer"),
        (image("{\"a\":\(entry("\"F32\"", "[null]"))}", data: eight), "shape contains null, expected integers"),
        (image("{\"a\":\(entry("\"F32\"", "[99999999999999999999]"))}", data: eight), "which is too large"),
        (image("{\"a\":\(entry("\"F32\"", "[4294967296,4294967296,4294967296]"))}", data: eight), "element count of shape"),
        (image("{\"a\":\(entry("\"F32\"", "[2305843009213693952]"))}", data: eight), "byte size of shape"),
        (image("{\"a\":\(entry("\"F32\"", "[2]", "[0]"))}", data: eight), "expected [begin, end]"),
        (image("{\"a\":\(entry("\"F32\"", "[2]", "{}"))}", data: eight), "data_offsets is an object"),
        (image("{\"a\":\(entry("\"F32\"", "[2]", "[8,0]"))}", data: eight), "begin > end"),
        (image("{\"a\":\(entry("\"F32\"", "[2]", "[0,16]"))}", data: eight), "beyond the 8-byte data buffer"),
        (image("{\"a\":\(entry("\"F32\"", "[3]", "[0,8]"))}", data: eight), "span 8 bytes, but shape [3] of F32 needs 12"),
        (image("{\"a\":\(entry()),\"b\":\(entry("\"F32\"", "[2]", "[4,12]"))}", data: eight + [0, 0, 0, 0]),
         "tensor 'b' (bytes 4..<12) overlaps tensor 'a'"),
        (image("{\"a\":\(entry("\"F32\"", "[1]", "[0,4]")),\"b\":\(entry("\"F32\"", "[1]", "[8,12]"))}", data: eight + [0, 0, 0, 0]),
         "gap of 4 bytes in the data buffer before tensor 'b'"),
        (image("{\"a\":\(entry("\"F32\"", "[1]", "[0,4]"))}", data: eight), "4 trailing bytes belong to no tensor"),
        (image("{\"__metadata__\":{\"k\":1}}"), "__metadata__ value for \"k\" is the number 1"),
        (image("{\"__metadata__\":[]}"), "__metadata__ is an array"),
        (image("{\"__metadata__\":{\"k\":\"\\ud800\"}}"), "lone surrogate"),
        (image("{\"__metadata__\":{\"k\":\"" + String(repeating: "[", count: 10) + "\"}, \"x\":" + String(repeating: "[", count: 100_000) + "}"),
         "nested deeper than"),
    ].map(BadFile.init))
    func rejectsInvalidFile(_ bad: BadFile) {
        do {
            let f = try SafeTensorsFile(bytes: bad.bytes, source: "bad.safetensors")
            Issue.record("accepted a file that should fail with \"\(bad.expectedMessage)\": \(f.names)")
        } catch {
            #expect(error.file == "bad.safetensors")
            #expect(error.message.contains(bad.expectedMessage), "got: \(error.message)")
        }
    }

    /// An invalid file image and a fragment of the message it must produce.
    struct BadFile: CustomTestStringConvertible, Sendable {
        var bytes: [UInt8]
        var expectedMessage: String
        init(_ pair: ([UInt8], String)) { (bytes, expectedMessage) = pair }
        var testDescription: String { "\(bytes.count) bytes: \(expectedMessage)" }
    }

    @Test func acceptsPaddingEscapesAndEmptyTensorsAnywhere() throws {
        let header = "{\"__metadata__\":{\"k\\u00fc\":\"v\\n\\ud83d\\ude00\"},"
            + "\"z\":\(Self.entry("\"F32\"", "[0]", "[4,4]")),\"a\":\(Self.entry("\"F32\"", "[1]", "[0,4]")),"
            + "\"e\":\(Self.entry("\"I8\"", "[0,5]", "[4,4]")),\"b\":\(Self.entry("\"U8\"", "[4]", "[4,8]"))}"
        let f = try SafeTensorsFile(bytes: Self.image(header + "   \n ", data: Self.eight))
        #expect(f.metadata == ["k\u{fc}": "v\n\u{1F600}"])
        #expect(f.names == ["a", "e", "z", "b"])
        #expect(try f.tensor("z").shape == [0])
        #expect(try f.indexTensor("e").shape == [0, 5])
    }

    // MARK: Fuzz: corrupted real files must parse or throw, never crash

    struct FuzzTally {
        var parsed = 0
        var rejected = 0
        var total: Int { parsed + rejected }

        /// Parses `bytes`; a file that parses must survive a serialize/parse round trip unchanged
        /// and convert every tensor, so accepted input is internally consistent.
        @discardableResult
        mutating func run(_ bytes: [UInt8]) -> Bool {
            do {
                let f = try SafeTensorsFile(bytes: bytes)
                let again = try SafeTensorsFile(bytes: f.serialized())
                SafeTensorsTests.expectSameContents(f, again)
                for name in f.names {
                    let t = f[name]!
                    #expect(t.bytes.count == t.shape.product * t.dtype.byteSize)
                    if t.dtype.isFloatingPoint {
                        #expect(try f.tensor(name).count == t.shape.product)
                    } else {
                        #expect(try f.indexTensor(name).count == t.shape.product)
                    }
                }
                parsed += 1
                return true
            } catch {
                #expect(!error.message.isEmpty)
                rejected += 1
                return false
            }
        }
    }

    static func splitImage(_ bytes: [UInt8]) -> (header: [UInt8], data: [UInt8]) {
        let n = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        return (Array(bytes[8..<8 + n]), Array(bytes[(8 + n)...]))
    }

    /// Byte ranges of the number literals in a header (where offsets and shapes live).
    static func numberRanges(_ header: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var i = 0
        while i < header.count {
            let isDigit = header[i] >= UInt8(ascii: "0") && header[i] <= UInt8(ascii: "9")
            if isDigit && (i == 0 || header[i - 1] == UInt8(ascii: "[") || header[i - 1] == UInt8(ascii: ",")) {
                let start = i
                while i < header.count, header[i] >= UInt8(ascii: "0") && header[i] <= UInt8(ascii: "9") { i += 1 }
                ranges.append(start..<i)
            } else {
                i += 1
            }
        }
        return ranges
    }

    static func ranges(of needle: String, in header: [UInt8]) -> [Range<Int>] {
        let n = Array(needle.utf8)
        guard header.count >= n.count else { return [] }
        return (0...(header.count - n.count)).filter { Array(header[$0..<$0 + n.count]) == n }.map { $0..<$0 + n.count }
    }

    static func pick<T>(_ xs: [T], _ g: inout Generator) -> T { xs[g.integer(below: xs.count)] }

    /// One structured corruption of a header's JSON text.
    static func mutateHeader(_ header: [UInt8], _ g: inout Generator) -> [UInt8] {
        var h = header
        switch g.integer(below: 11) {
        case 0:  // a number replaced by a hostile one
            let numbers = numberRanges(h)
            guard !numbers.isEmpty else { break }
            let replacement = pick(["-1", "-0", "1.5", "1e3", "0", "3", "99999999999999999999999",
                                    "9223372036854775807", "9223372036854775808", "4611686018427387904",
                                    "\"7\"", "null", "true", "[]", "{}", "\(g.integer(below: 400))"], &g)
            h.replaceSubrange(pick(numbers, &g), with: Array(replacement.utf8))
        case 1:  // swapped data_offsets
            let offsets = ranges(of: "\"data_offsets\":[", in: h)
            guard !offsets.isEmpty else { break }
            let start = pick(offsets, &g).upperBound
            guard let comma = h[start...].firstIndex(of: UInt8(ascii: ",")),
                  let close = h[comma...].firstIndex(of: UInt8(ascii: "]")) else { break }
            h.replaceSubrange(start..<close, with: Array(h[(comma + 1)..<close]) + [UInt8(ascii: ",")] + Array(h[start..<comma]))
        case 2:  // a changed dtype
            let dtypes = ranges(of: "\"dtype\":\"", in: h)
            guard !dtypes.isEmpty else { break }
            let start = pick(dtypes, &g).upperBound
            guard let end = h[start...].firstIndex(of: UInt8(ascii: "\"")) else { break }
            let name = pick(SafeTensorsDType.allCases.map(\.rawValue) + ["F8_E5M2", "f32", "", "I128"], &g)
            h.replaceSubrange(start..<end, with: Array(name.utf8))
        case 3:  // an extra or removed dimension
            let shapes = ranges(of: "\"shape\":[", in: h)
            guard !shapes.isEmpty else { break }
            let start = pick(shapes, &g).upperBound
            if g.bernoulli(0.5) {
                h.insert(contentsOf: Array("\(g.integer(below: 4)),".utf8), at: start)
            } else if let close = h[start...].firstIndex(of: UInt8(ascii: "]")) {
                h.removeSubrange(start..<close)
            }
        case 4:  // deleted bytes
            guard !h.isEmpty else { break }
            let start = g.integer(below: h.count)
            h.removeSubrange(start..<min(h.count, start + 1 + g.integer(below: 10)))
        case 5:  // inserted structural or random characters
            let junk = pick(["{", "}", "[", "]", ",", ":", "\"", "\\", "-", "\u{0}", "\u{ff}", "\\u", " "], &g)
            h.insert(contentsOf: Array(junk.utf8), at: g.integer(below: h.count + 1))
        case 6:  // a duplicate key
            let key = pick(["\"__metadata__\":{},", "\"i64\":{},", "\"weight\":\(entry()),", "\"x\":1,"], &g)
            h.insert(contentsOf: Array(key.utf8), at: min(1, h.count))
        case 7:  // an unexpected field or a bad metadata value
            let what = pick(["\"extra\":1,", "\"dtype\":\"F32\","], &g)
            if let at = ranges(of: "\"dtype\"", in: h).first { h.insert(contentsOf: Array(what.utf8), at: at.lowerBound) }
            if let m = ranges(of: "\"__metadata__\":{", in: h).first {
                h.insert(contentsOf: Array(pick(["\"n\":1,", "\"o\":{},", "\"s\":\"ok\","], &g).utf8), at: m.upperBound)
            }
        case 8:  // not JSON at all, or JSON of the wrong shape
            let replacement: [UInt8] = pick([
                Array("[]".utf8), Array("null".utf8), Array("{}".utf8), Array("{\"a\":1}".utf8),
                Array(repeating: UInt8(ascii: "["), count: 5000), [0xFF, 0xFE, 0x00, 0x7B],
                Array(("{\"a\":" + String(repeating: "[", count: 5000)).utf8),
                Array("{\"a\":\"\\ud800\"}".utf8),
                (0..<(g.integer(below: 64))).map { _ in UInt8(truncatingIfNeeded: g.next()) },
            ], &g)
            h = replacement
        case 9:  // padding changed (trailing spaces are fine, other bytes are not)
            h.append(contentsOf: Array(repeating: pick([UInt8(ascii: " "), 0, UInt8(ascii: "x"), 0x0A], &g),
                                       count: 1 + g.integer(below: 9)))
        default:  // a random byte overwritten
            guard !h.isEmpty else { break }
            h[g.integer(below: h.count)] = UInt8(truncatingIfNeeded: g.next())
        }
        return h
    }

    @Test func fuzzCorruptedFilesParseOrThrow() throws {
        var g = Generator(seed: 0x5AFE_7E45)
        var small = SafeTensorsFile()
        small.set("w", Tensor([1, 2]))
        small.set("i", IndexTensor([7]))
        small.metadata = ["k": "v"]
        let originals = [
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.referencePath))),
            Self.sampleFile().serialized(),
            small.serialized(),
        ]
        var tally = FuzzTally()

        // Every proper prefix of a valid file is invalid (the data buffer must be fully covered).
        for original in originals {
            for length in 0..<original.count {
                let accepted = tally.run(Array(original[..<length]))
                #expect(!accepted, "prefix of \(length) bytes accepted")
            }
        }
        for _ in 0..<3000 {  // random byte flips anywhere; flips confined to the data must parse
            var bytes = Self.pick(originals, &g)
            let dataStart = 8 + Self.splitImage(bytes).header.count
            var onlyData = true
            for _ in 0...g.integer(below: 3) {
                let at = g.bernoulli(0.5) ? g.integer(below: bytes.count) : g.integer(below: dataStart)
                bytes[at] ^= UInt8(1 + g.integer(below: 255))
                onlyData = onlyData && at >= dataStart
            }
            let ok = tally.run(bytes)
            if onlyData { #expect(ok, "a flip inside the data buffer was rejected") }
        }
        for _ in 0..<500 {  // header size field mutations
            var bytes = Self.pick(originals, &g)
            let n = UInt64(Self.splitImage(bytes).header.count)
            let count = UInt64(bytes.count)
            let candidates: [UInt64] = [0, 1, 7, 8, n - 1, n + 1, n + 8, n &* 2, count - 8, count - 7,
                                        UInt64.max, 1 << 63, 100_000_001, g.next(), g.next() % count]
            let size = Self.pick(candidates, &g)
            for k in 0..<8 { bytes[k] = UInt8(truncatingIfNeeded: size >> (8 * UInt64(k))) }
            let accepted = tally.run(bytes)
            if size != n { #expect(!accepted, "header size \(size) instead of \(n) accepted") }
        }
        for _ in 0..<6000 {  // structured JSON corruptions, size field kept consistent or not
            let (header, data) = Self.splitImage(Self.pick(originals, &g))
            var h = header
            for _ in 0...g.integer(below: 2) { h = Self.mutateHeader(h, &g) }
            var tail = data
            if g.bernoulli(0.1) { tail.append(contentsOf: [0, 0, 0, 0]) }
            if g.bernoulli(0.1), !tail.isEmpty { tail.removeLast() }
            let size: UInt64? = g.bernoulli(0.9) ? nil : UInt64(header.count)
            tally.run(Self.image(h, data: tail, size: size))
        }
        #expect(tally.total >= 5000)
        #expect(tally.parsed > 100 && tally.rejected > 8000, "parsed \(tally.parsed), rejected \(tally.rejected)")
    }

    // MARK: Atomic writes

    @Test func atomicWriteReplacesOrLeavesTheOldFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/model.safetensors"
        var old = SafeTensorsFile()
        old.set("w", Tensor([1, 2, 3]))
        try old.write(to: path)
        var new = SafeTensorsFile()
        new.set("w", Tensor([4]))
        new.set("i", IndexTensor([5]))
        try new.write(to: path)
        #expect(try SafeTensorsFile(contentsOf: path).serialized() == new.serialized())
        #expect(try dir.contents() == ["model.safetensors"], "no temporary file left behind")

        // Into a missing directory: throws naming the path.
        let missing = dir.path + "/no/such/dir/model.safetensors"
        do {
            try old.write(to: missing)
            Issue.record("write into a missing directory succeeded")
        } catch {
            #expect(error.file == missing)
            #expect(error.message.contains("No such file"), "\(error)")
        }
        // Over a directory: the temporary is written, the rename fails, and it is cleaned up.
        let blocker = dir.path + "/blocker"
        try FileManager.default.createDirectory(atPath: blocker + "/inside", withIntermediateDirectories: true)
        #expect(throws: SafeTensorsError.self) { try old.write(to: blocker) }
        #expect(throws: SafeTensorsError.self) { try old.write(to: dir.path + "/") }
        #expect(try dir.contents() == ["blocker", "model.safetensors"], "no temporary file left behind")
        #expect(try SafeTensorsFile(contentsOf: path).serialized() == new.serialized(), "old file intact")
    }

    @Test func readErrorsNameThePath() throws {
        let dir = try TemporaryDirectory()
        for path in [dir.path + "/absent.safetensors", dir.path] {
            do {
                _ = try SafeTensorsFile(contentsOf: path)
                Issue.record("read \(path)")
            } catch {
                #expect(error.file == path)
                #expect(error.description.hasPrefix(path + ": "))
            }
        }
        let truncated = dir.path + "/truncated.safetensors"
        try Data(Self.sampleFile().serialized().dropLast(5)).write(to: URL(fileURLWithPath: truncated))
        do {
            _ = try SafeTensorsFile(contentsOf: truncated)
            Issue.record("read a truncated file")
        } catch {
            #expect(error.file == truncated)
            #expect(error.message.contains("beyond"), "\(error)")
        }
    }

    /// A fresh directory under the system temporary directory, removed when the value is released.
    final class TemporaryDirectory {
        let path: String

        init() throws {
            path = FileManager.default.temporaryDirectory
                .appendingPathComponent("workbench-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        }

        func contents() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }
}

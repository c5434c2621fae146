// The safetensors byte layout: strict parsing and validation of a file image, and serialization.
// See SafeTensors.swift for the format and the list of checks.

enum SafeTensorsFormat {
    /// The reference implementation's limit; larger headers are refused before allocating.
    static let maxHeaderSize: UInt64 = 100_000_000

    struct Entry {
        var name: String
        var dtype: SafeTensorsDType
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    struct Parsed {
        var metadata: [String: String]
        /// Sorted by data offset (empty tensors before a non-empty one at the same offset).
        var entries: [Entry]
        /// Index of the data buffer's first byte in the file image.
        var dataStart: Int
    }

    static func parse(_ bytes: [UInt8], source: String) throws(SafeTensorsError) -> Parsed {
        func fail(_ message: String) -> SafeTensorsError { SafeTensorsError(file: source, message: message) }

        guard bytes.count >= 8 else {
            throw fail("file is \(bytes.count) bytes, shorter than the 8-byte header size field")
        }
        var headerSize: UInt64 = 0
        for k in 0..<8 { headerSize |= UInt64(bytes[k]) << (8 * UInt64(k)) }
        guard headerSize <= maxHeaderSize else {
            throw fail("header size \(headerSize) exceeds the limit of \(maxHeaderSize) bytes (corrupt size field?)")
        }
        guard headerSize <= UInt64(bytes.count - 8) else {
            throw fail("header size \(headerSize) exceeds the \(bytes.count - 8) bytes after the size field (truncated file?)")
        }
        let dataStart = 8 + Int(headerSize)
        let dataSize = bytes.count - dataStart
        let header = Array(bytes[8..<dataStart])

        guard header.first == UInt8(ascii: "{") else {
            throw fail(header.isEmpty ? "header is empty" : "header does not start with '{'")
        }
        guard String(validating: header, as: UTF8.self) != nil else {
            throw fail("header is not valid UTF-8")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(header)
        } catch {
            throw fail("header is not valid JSON: \(error.message)")
        }
        guard case .object(let members) = json else { throw fail("header is not a JSON object") }

        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        entries.reserveCapacity(members.count)
        for (key, value) in members.map({ ($0.key, $0.value) }) {
            if key == "__metadata__" {
                guard case .object(let pairs) = value else {
                    throw fail("__metadata__ is \(value.kind), expected an object of strings")
                }
                for (k, v) in pairs.map({ ($0.key, $0.value) }) {
                    guard case .string(let s) = v else {
                        throw fail("__metadata__ value for \"\(k)\" is \(v.kind), expected a string")
                    }
                    metadata[k] = s
                }
            } else {
                entries.append(try parseEntry(name: key, value, dataSize: dataSize, fail: fail))
            }
        }

        // The spec requires the ranges to tile the data buffer: sorted by offset, each must start
        // where the previous one ended, and the last must end at the buffer's end.
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var cursor = 0
        var previous: String?
        for e in entries {
            if e.begin < cursor {
                throw fail("tensor '\(e.name)' (bytes \(e.begin)..<\(e.end)) overlaps tensor '\(previous ?? "")' (ending at \(cursor))")
            }
            if e.begin > cursor {
                throw fail("gap of \(e.begin - cursor) bytes in the data buffer before tensor '\(e.name)' (bytes \(cursor)..<\(e.begin) belong to no tensor)")
            }
            cursor = e.end
            previous = e.name
        }
        if cursor != dataSize {
            throw fail("data buffer is \(dataSize) bytes but the tensors cover only \(cursor); \(dataSize - cursor) trailing bytes belong to no tensor")
        }
        return Parsed(metadata: metadata, entries: entries, dataStart: dataStart)
    }

    private static func parseEntry(name: String, _ value: JSONValue, dataSize: Int,
                                   fail: (String) -> SafeTensorsError) throws(SafeTensorsError) -> Entry {
        guard case .object(let fields) = value else {
            throw fail("entry for tensor '\(name)' is \(value.kind), expected an object")
        }
        var dtypeValue: JSONValue?, shapeValue: JSONValue?, offsetsValue: JSONValue?
        for (key, v) in fields.map({ ($0.key, $0.value) }) {
            switch key {
            case "dtype": dtypeValue = v
            case "shape": shapeValue = v
            case "data_offsets": offsetsValue = v
            default: throw fail("tensor '\(name)' has an unexpected field \"\(key)\"")
            }
        }

        guard let dtypeValue else { throw fail("tensor '\(name)' has no dtype") }
        guard case .string(let dtypeName) = dtypeValue else {
            throw fail("tensor '\(name)': dtype is \(dtypeValue.kind), expected a string")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            let known = SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail("tensor '\(name)' has unsupported dtype \"\(dtypeName)\" (supported: \(known))")
        }

        guard let shapeValue else { throw fail("tensor '\(name)' has no shape") }
        guard case .array(let dims) = shapeValue else {
            throw fail("tensor '\(name)': shape is \(shapeValue.kind), expected an array of integers")
        }
        let shape = try integers(dims, what: "shape", name: name, fail: fail)
        var count = 1
        for d in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            if overflow { throw fail("tensor '\(name)': element count of shape \(shape) overflows") }
            count = p
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        if overflow { throw fail("tensor '\(name)': byte size of shape \(shape) in \(dtype.rawValue) overflows") }

        guard let offsetsValue else { throw fail("tensor '\(name)' has no data_offsets") }
        guard case .array(let offsetValues) = offsetsValue, offsetValues.count == 2 else {
            throw fail("tensor '\(name)': data_offsets is \(offsetsValue.kind), expected [begin, end]")
        }
        let offsets = try integers(offsetValues, what: "data_offsets", name: name, fail: fail)
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else {
            throw fail("tensor '\(name)': data_offsets [\(begin), \(end)] has begin > end")
        }
        guard end <= dataSize else {
            throw fail("tensor '\(name)': data_offsets end \(end) lies beyond the \(dataSize)-byte data buffer (truncated file?)")
        }
        guard end - begin == byteCount else {
            throw fail("tensor '\(name)': data_offsets [\(begin), \(end)] span \(end - begin) bytes, but shape \(shape) of \(dtype.rawValue) needs \(byteCount)")
        }
        return Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }

    private static func integers(_ values: [JSONValue], what: String, name: String,
                                 fail: (String) -> SafeTensorsError) throws(SafeTensorsError) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for v in values {
            switch v.nonNegativeInteger {
            case .value(let x): result.append(x)
            case .negative: throw fail("tensor '\(name)': \(what) contains \(v.kind), which is negative")
            case .nonInteger: throw fail("tensor '\(name)': \(what) contains \(v.kind), which is not an integer")
            case .tooLarge: throw fail("tensor '\(name)': \(what) contains \(v.kind), which is too large")
            case nil: throw fail("tensor '\(name)': \(what) contains \(v.kind), expected integers")
            }
        }
        return result
    }

    static func serialize(metadata: [String: String], names: [String],
                          tensors: [String: SafeTensorsTensor]) -> [UInt8] {
        var header: [UInt8] = [UInt8(ascii: "{")]
        func append(_ s: String) { header.append(contentsOf: Array(s.utf8)) }
        var first = true
        if !metadata.isEmpty {
            append("\"__metadata__\":{")
            for (k, key) in metadata.keys.sorted().enumerated() {
                if k > 0 { append(",") }
                appendJSONString(key, to: &header)
                append(":")
                appendJSONString(metadata[key]!, to: &header)
            }
            append("}")
            first = false
        }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            if !first { append(",") }
            first = false
            appendJSONString(name, to: &header)
            let shape = t.shape.map(String.init).joined(separator: ",")
            append(":{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + t.bytes.count)]}")
            offset += t.bytes.count
        }
        append("}")
        // Pad with spaces so the data buffer starts 8-byte aligned, as the Python writer does.
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }

        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + offset)
        let size = UInt64(header.count)
        for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: size >> (8 * UInt64(k)))) }
        out.append(contentsOf: header)
        for name in names { out.append(contentsOf: tensors[name]!.bytes) }
        return out
    }
}

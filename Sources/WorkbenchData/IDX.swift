// The IDX file format of MNIST and Fashion-MNIST (plain or gzip-compressed): reading, checking, writing.
//
// Layout (all integers big-endian): two zero bytes, a type byte, a rank byte, `rank` UInt32
// dimension sizes, then the elements in row-major order. Images are type 0x08 rank 3
// (magic 0x00000803), labels type 0x08 rank 1 (magic 0x00000801).

/// The element types IDX defines.
public enum IDXDataType: UInt8, Sendable, CustomStringConvertible {
    case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .uint8, .int8: 1
        case .int16: 2
        case .int32, .float32: 4
        case .float64: 8
        }
    }

    public var description: String {
        switch self {
        case .uint8: "uint8"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .float32: "float32"
        case .float64: "float64"
        }
    }
}

/// One IDX array: its element type, shape, and the raw big-endian element bytes.
public struct IDXArray: Sendable {
    public var dataType: IDXDataType
    public var shape: [Int]
    /// Elements in row-major order, each `dataType.size` bytes, big-endian as in the file.
    public var bytes: [UInt8]

    public init(dataType: IDXDataType, shape: [Int], bytes: [UInt8]) {
        precondition(shape.product * dataType.size == bytes.count,
                     "IDX shape \(shape) of \(dataType) needs \(shape.product * dataType.size) bytes, got \(bytes.count)")
        self.dataType = dataType
        self.shape = shape
        self.bytes = bytes
    }

    /// The magic number as written in the file header.
    public var magic: UInt32 { UInt32(dataType.rawValue) << 8 | UInt32(shape.count) }

    /// The elements converted to Float (any element type).
    public func floatValues() -> [Float] {
        let n = shape.product
        return [Float](unsafeUninitializedCapacity: n) { out, count in
            bytes.withUnsafeBufferPointer { b in
                switch dataType {
                case .uint8: for i in 0..<n { out[i] = Float(b[i]) }
                case .int8: for i in 0..<n { out[i] = Float(Int8(bitPattern: b[i])) }
                case .int16: for i in 0..<n { out[i] = Float(Int16(bitPattern: UInt16(b[2 * i]) << 8 | UInt16(b[2 * i + 1]))) }
                case .int32: for i in 0..<n { out[i] = Float(Int32(bitPattern: readBE32(b, 4 * i))) }
                case .float32: for i in 0..<n { out[i] = Float(bitPattern: readBE32(b, 4 * i)) }
                case .float64:
                    for i in 0..<n {
                        let hi = UInt64(readBE32(b, 8 * i)), lo = UInt64(readBE32(b, 8 * i + 4))
                        out[i] = Float(Double(bitPattern: hi << 32 | lo))
                    }
                }
            }
            count = n
        }
    }

    /// The elements as integers (integer element types only; labels are uint8).
    public func intValues() -> [Int]? {
        switch dataType {
        case .uint8: return bytes.map { Int($0) }
        case .int8: return bytes.map { Int(Int8(bitPattern: $0)) }
        case .int16, .int32: return floatValues().map { Int($0) }
        case .float32, .float64: return nil
        }
    }
}

@inline(__always)
private func readBE32(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
    UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
}

public enum IDX {
    /// Largest element count accepted; a header asking for more is corrupt, not a real data set.
    public static let maxElements = 1 << 34

    /// Reads an IDX file, gzip-compressed or not (detected from the content).
    public static func read(_ path: String) throws -> IDXArray {
        try parse(try Gzip.readMaybeCompressed(path), name: path)
    }

    /// Parses the bytes of an (uncompressed) IDX file; `name` labels errors.
    public static func parse(_ bytes: [UInt8], name: String) throws -> IDXArray {
        guard bytes.count >= 4 else {
            throw DataError(path: name, "too short for an IDX header: \(bytes.count) bytes (the magic number alone is 4)")
        }
        let magic = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        let hex = "0x" + String(magic, radix: 16, uppercase: true).leftPadded(to: 8)
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DataError(path: name, "wrong magic number \(hex): not an IDX file (expected 0x00000803 for images, 0x00000801 for labels)")
        }
        guard let dataType = IDXDataType(rawValue: bytes[2]) else {
            throw DataError(path: name, "magic number \(hex) names unknown IDX element type 0x\(String(bytes[2], radix: 16))")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw DataError(path: name, "magic number \(hex) gives rank 0; IDX arrays have at least one dimension") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DataError(path: name, "truncated header: rank \(rank) needs \(headerSize) header bytes, file has \(bytes.count)")
        }
        var shape: [Int] = []
        var elements = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let size = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            shape.append(size)
            elements = elements.multipliedReportingOverflow(by: size).overflow ? Int.max : elements * size
            if elements > maxElements {
                throw DataError(path: name, "absurd dimensions \(shape)...: more than \(maxElements) elements")
            }
        }
        let expected = headerSize + elements * dataType.size
        if bytes.count < expected {
            throw DataError(path: name, "truncated data: shape \(shape) of \(dataType) needs \(expected) bytes, file has \(bytes.count)")
        }
        if bytes.count > expected {
            throw DataError(path: name, "the header describes shape \(shape) (\(dataType), rank \(rank) from magic \(hex)) but the file holds \(bytes.count - expected) more bytes: a wrong rank or dimension in the header (Fashion-MNIST images are [N, 28, 28], rank 3; labels [N], rank 1)")
        }
        return IDXArray(dataType: dataType, shape: shape, bytes: Array(bytes[headerSize...]))
    }

    /// The bytes of an IDX file holding `array`.
    public static func encode(_ array: IDXArray) -> [UInt8] {
        var out: [UInt8] = [0, 0, array.dataType.rawValue, UInt8(array.shape.count)]
        for size in array.shape {
            precondition(size >= 0 && size <= Int(UInt32.max), "IDX dimension \(size) does not fit in 32 bits")
            out += [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
        }
        out += array.bytes
        return out
    }

    /// Writes `array` as an IDX file, gzip-compressed when `path` ends in `.gz`.
    public static func write(_ array: IDXArray, to path: String) throws {
        let raw = encode(array)
        try writeFileAtomically(path, path.hasSuffix(".gz") ? Gzip.compress(raw) : raw)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

// Safetensors files: named tensors with a JSON header, the checkpoint and fixture format shared
// with PyTorch (`safetensors.torch.save_file` / `load_file`).
//
// Format (https://github.com/huggingface/safetensors):
//   [8 bytes]  N, the header size, a little-endian UInt64
//   [N bytes]  UTF-8 JSON object, possibly padded with trailing spaces (writers pad to 8 bytes):
//              {"__metadata__": {"key": "value", ...},            <- optional, string values only
//               "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
//   [rest]     the data buffer; each tensor's little-endian, row-major bytes are
//              buffer[begin..<end], offsets relative to the start of the buffer.
//
// Reading is strict: any of the following is a `SafeTensorsError` naming the file and, where it
// applies, the tensor — never a trap:
//   - a file shorter than 8 bytes; a header size beyond the file or above 100 MB;
//   - a header that is not UTF-8, not JSON, not an object, has duplicate keys or nests too deep;
//   - an entry that is not an object, misses or mistypes dtype/shape/data_offsets, or has other
//     fields; an unknown dtype; a shape dimension that is negative, fractional or too large; a
//     shape whose element or byte count overflows;
//   - data_offsets that are not two integers with begin <= end, end beyond the data buffer, or a
//     byte length other than product(shape) * dtype size;
//   - ranges that overlap, leave a gap, or leave buffer bytes uncovered (the spec requires the
//     tensors to tile the data buffer exactly, as the reference Rust reader enforces);
//   - `__metadata__` that is not an object of strings.
// Writing lays tensors out contiguously in `names` order, metadata keys sorted (so the bytes are
// reproducible), header padded with spaces to a multiple of 8, and replaces files atomically.

/// The element types of the safetensors format that this project reads and writes.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .F64, .I64: 8
        case .F32, .I32: 4
        case .F16, .BF16, .I16: 2
        case .I8, .U8, .BOOL: 1
        }
    }

    /// Whether `tensor(_:)` reads this dtype (converting to Float32).
    public var isFloatingPoint: Bool {
        switch self {
        case .F64, .F32, .F16, .BF16: true
        default: false
        }
    }
}

/// One stored tensor: its dtype, shape and raw little-endian bytes.
public struct SafeTensorsTensor: Sendable, Equatable {
    public var dtype: SafeTensorsDType
    public var shape: [Int]
    public var bytes: [UInt8]

    public init(dtype: SafeTensorsDType, shape: [Int], bytes: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Number of elements, `product(shape)`.
    public var count: Int { shape.product }
}

/// The contents of a safetensors file: named tensors plus string metadata.
public struct SafeTensorsFile: Sendable {
    /// `__metadata__`: free-form string pairs.
    public var metadata: [String: String] = [:]
    private var order: [String] = []
    private var tensors: [String: SafeTensorsTensor] = [:]
    /// Where the contents came from, for error messages.
    private var source = "<memory>"

    public init() {}

    /// Tensor names in stored order: by data offset for a file that was read, then in the order
    /// `set` first added them. `serialized()` writes them in this order.
    public var names: [String] { order }

    public subscript(name: String) -> SafeTensorsTensor? { tensors[name] }

    /// Parses and validates a complete file image; `source` names it in errors.
    public init(bytes: [UInt8], source: String = "<memory>") throws(SafeTensorsError) {
        let parsed = try SafeTensorsFormat.parse(bytes, source: source)
        self.metadata = parsed.metadata
        self.order = parsed.entries.map(\.name)
        for e in parsed.entries {
            let start = parsed.dataStart + e.begin
            tensors[e.name] = SafeTensorsTensor(dtype: e.dtype, shape: e.shape,
                                                bytes: Array(bytes[start..<start + (e.end - e.begin)]))
        }
        self.source = source
    }

    /// Reads and validates the file at `path`; every error names the path.
    public init(contentsOf path: String) throws(SafeTensorsError) {
        try self.init(bytes: try readWholeFile(path), source: path)
    }

    /// The complete file image: size field, padded header, data buffer.
    public func serialized() -> [UInt8] {
        SafeTensorsFormat.serialize(metadata: metadata, names: order, tensors: tensors)
    }

    /// Writes the file atomically: a temporary file in the same directory, fsync, rename.
    /// A failure leaves any existing file at `path` untouched.
    public func write(to path: String) throws(SafeTensorsError) {
        try writeFileAtomically(serialized(), to: path)
    }

    /// Adds or replaces a tensor. A replaced tensor keeps its place in `names`.
    public mutating func set(_ name: String, _ tensor: SafeTensorsTensor) {
        precondition(name != "__metadata__", "\"__metadata__\" is reserved and cannot name a tensor")
        precondition(tensor.shape.allSatisfy { $0 >= 0 }, "negative size in shape \(tensor.shape) of tensor '\(name)'")
        precondition(tensor.bytes.count == tensor.count * tensor.dtype.byteSize,
                     "tensor '\(name)': shape \(tensor.shape) of \(tensor.dtype) needs \(tensor.count * tensor.dtype.byteSize) bytes, got \(tensor.bytes.count)")
        if tensors.updateValue(tensor, forKey: name) == nil { order.append(name) }
    }

    /// Stores a Float32 tensor as F32.
    public mutating func set(_ name: String, _ t: Tensor) {
        set(name, SafeTensorsTensor(dtype: .F32, shape: t.shape, bytes: littleEndianBytes(t.data)))
    }

    /// Stores an index tensor as I64.
    public mutating func set(_ name: String, _ t: IndexTensor) {
        set(name, SafeTensorsTensor(dtype: .I64, shape: t.shape, bytes: littleEndianBytes(t.data)))
    }

    public mutating func remove(_ name: String) {
        if tensors.removeValue(forKey: name) != nil { order.removeAll { $0 == name } }
    }

    /// A floating-point tensor as Float32: F32 as stored, F64/F16/BF16 converted (F64 rounds to
    /// nearest). Throws if the name is missing or the dtype is an integer or BOOL.
    public func tensor(_ name: String) throws(SafeTensorsError) -> Tensor {
        let t = try stored(name)
        guard t.dtype.isFloatingPoint else {
            throw SafeTensorsError(file: source, message: "tensor '\(name)' has dtype \(t.dtype.rawValue), not a floating-point dtype (F32, F64, F16, BF16); read it with indexTensor")
        }
        return Tensor(shape: t.shape, data: decodeFloats(t))
    }

    /// An integer tensor as Int: I64/I32/I16/I8/U8, and BOOL as 0/1. Throws if the name is
    /// missing or the dtype is floating-point.
    public func indexTensor(_ name: String) throws(SafeTensorsError) -> IndexTensor {
        let t = try stored(name)
        guard !t.dtype.isFloatingPoint else {
            throw SafeTensorsError(file: source, message: "tensor '\(name)' has dtype \(t.dtype.rawValue), not an integer dtype (I64, I32, I16, I8, U8, BOOL); read it with tensor")
        }
        return IndexTensor(shape: t.shape, data: decodeIntegers(t))
    }

    /// The stored tensor; `set` and parsing guarantee its bytes match its shape and dtype.
    private func stored(_ name: String) throws(SafeTensorsError) -> SafeTensorsTensor {
        guard let t = tensors[name] else {
            throw SafeTensorsError(file: source, message: "no tensor named '\(name)' (the file has \(order.count) tensors)")
        }
        return t
    }
}

// MARK: - Little-endian conversions (one pass over raw memory, no per-element allocation)

@inline(__always)
private func load<U: FixedWidthInteger>(_ raw: UnsafeRawBufferPointer, _ i: Int, _: U.Type) -> U {
    U(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<U>.size, as: U.self))
}

func littleEndianBytes(_ values: [Float]) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: values.count * 4) { out, n in
        let raw = UnsafeMutableRawBufferPointer(out)
        for i in values.indices {
            raw.storeBytes(of: values[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
        }
        n = values.count * 4
    }
}

func littleEndianBytes(_ values: [Int]) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: values.count * 8) { out, n in
        let raw = UnsafeMutableRawBufferPointer(out)
        for i in values.indices {
            raw.storeBytes(of: Int64(values[i]).littleEndian, toByteOffset: 8 * i, as: Int64.self)
        }
        n = values.count * 8
    }
}

/// IEEE half to single; exact for every half value (subnormals, infinities, NaN payloads).
@inline(__always)
private func floatFromHalf(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = UInt32(h >> 10) & 0x1F
    let mantissa = UInt32(h & 0x3FF)
    if exponent == 0 {
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    }
    if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13) }
    return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
}

private func decodeFloats(_ t: SafeTensorsTensor) -> [Float] {
    let n = t.bytes.count / t.dtype.byteSize
    return [Float](unsafeUninitializedCapacity: n) { out, count in
        t.bytes.withUnsafeBytes { raw in
            switch t.dtype {
            case .F32: for i in 0..<n { out[i] = Float(bitPattern: load(raw, i, UInt32.self)) }
            case .F64: for i in 0..<n { out[i] = Float(Double(bitPattern: load(raw, i, UInt64.self))) }
            case .F16: for i in 0..<n { out[i] = floatFromHalf(load(raw, i, UInt16.self)) }
            case .BF16: for i in 0..<n { out[i] = Float(bitPattern: UInt32(load(raw, i, UInt16.self)) << 16) }
            default: preconditionFailure("decodeFloats called with \(t.dtype)")
            }
        }
        count = n
    }
}

private func decodeIntegers(_ t: SafeTensorsTensor) -> [Int] {
    let n = t.bytes.count / t.dtype.byteSize
    return [Int](unsafeUninitializedCapacity: n) { out, count in
        t.bytes.withUnsafeBytes { raw in
            switch t.dtype {
            // Int is 64-bit on every platform the workbench supports, so this never truncates.
            case .I64: for i in 0..<n { out[i] = Int(truncatingIfNeeded: load(raw, i, Int64.self)) }
            case .I32: for i in 0..<n { out[i] = Int(load(raw, i, Int32.self)) }
            case .I16: for i in 0..<n { out[i] = Int(load(raw, i, Int16.self)) }
            case .I8: for i in 0..<n { out[i] = Int(Int8(bitPattern: raw[i])) }
            case .U8: for i in 0..<n { out[i] = Int(raw[i]) }
            case .BOOL: for i in 0..<n { out[i] = raw[i] == 0 ? 0 : 1 }
            default: preconditionFailure("decodeIntegers called with \(t.dtype)")
            }
        }
        count = n
    }
}

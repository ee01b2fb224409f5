import Foundation

/// One tensor read from (or to be written to) a checkpoint file.
///
/// The bytes are row-major (C order), densely packed and little-endian, in the element type
/// ``dtype`` the file stored them in. Tensors read from safetensors files and contiguous PyTorch
/// tensors are views into the memory-mapped file (no copy); the mapping stays alive as long as any
/// tensor made from it. Use ``floatValues()`` or ``int64Values()`` to get the numbers.
public struct StoredTensor: Sendable {
    /// Element type as stored in the file.
    public let dtype: DType
    /// Dimensions; `[]` is a scalar with one element.
    public let shape: [Int]
    /// The `elementCount * dtype.byteSize` little-endian bytes.
    let bytes: TensorBytes

    /// Number of elements: the product of ``shape`` (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    /// Wraps bytes whose length the caller has already checked against `shape` and `dtype`.
    init(dtype: DType, shape: [Int], bytes: TensorBytes) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// A float32 tensor holding a copy of `values` (row-major) with dimensions `shape`.
    /// `values.count` must equal the product of `shape`.
    public init(float32 values: [Float], shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 } && values.count == shape.reduce(1, *),
                     "StoredTensor(float32:shape:): \(values.count) values do not fill shape \(shape)")
        self.dtype = .f32
        self.shape = shape
        self.bytes = values.withUnsafeBytes { raw in
            TensorBytes(count: raw.count) { out in
                for i in 0..<values.count {
                    out.storeBytes(of: values[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                }
            }
        }
    }

    /// A 16-bit float tensor (`.f16` or `.bf16`, rounded to nearest even) from float32 `values`;
    /// any other `dtype` gives a float32 tensor.
    public init(converting values: [Float], shape: [Int], to dtype: DType) {
        guard dtype == .f16 || dtype == .bf16 else {
            self.init(float32: values, shape: shape)
            return
        }
        precondition(shape.allSatisfy { $0 >= 0 } && values.count == shape.reduce(1, *),
                     "StoredTensor(converting:shape:to:): \(values.count) values do not fill shape \(shape)")
        self.init(dtype: dtype, shape: shape, bytes: TensorBytes(count: 2 * values.count) { out in
            for i in 0..<values.count {
                let bits = dtype == .f16 ? HalfPrecision.halfBits(from: values[i]) : HalfPrecision.bfloat16Bits(from: values[i])
                out.storeBytes(of: bits.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
        })
    }

    /// An int64 tensor holding a copy of `values` (row-major) with dimensions `shape`.
    /// `values.count` must equal the product of `shape`.
    public init(int64 values: [Int64], shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 } && values.count == shape.reduce(1, *),
                     "StoredTensor(int64:shape:): \(values.count) values do not fill shape \(shape)")
        self.dtype = .i64
        self.shape = shape
        self.bytes = TensorBytes(count: values.count * 8) { out in
            for i in 0..<values.count {
                out.storeBytes(of: values[i].littleEndian, toByteOffset: 8 * i, as: Int64.self)
            }
        }
    }

    /// A tensor of any dtype from its raw little-endian, row-major bytes.
    ///
    /// Throws a ``CheckpointError`` (file `"<memory>"`) if a dimension is negative or the byte count
    /// is not `product(shape) * dtype.byteSize`.
    public init(dtype: DType, shape: [Int], littleEndianBytes data: Data) throws {
        guard let count = Self.checkedElementCount(shape) else {
            throw CheckpointError(file: "<memory>", message: "invalid tensor shape \(shape)")
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, needed == data.count else {
            throw CheckpointError(file: "<memory>",
                                  message: "\(data.count) bytes do not match shape \(shape) of \(dtype.rawValue)")
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = data.withUnsafeBytes { TensorBytes(copying: $0) }
    }

    /// The product of `shape`, or `nil` if a dimension is negative or the product overflows `Int`.
    static func checkedElementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// A copy of the raw little-endian bytes.
    public var littleEndianBytes: Data {
        let raw = bytes.buffer
        return raw.count == 0 ? Data() : Data(bytes: raw.baseAddress!, count: raw.count)
    }

    /// Calls `body` with the raw little-endian bytes (valid only during the call).
    public func withUnsafeRawBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withExtendedLifetime(bytes) { try body(bytes.buffer) }
    }

    /// Values widened/converted to Float32 (F16, BF16, F64, integers, bool).
    ///
    /// F16 and BF16 convert exactly; F64 and 64-bit integers round to the nearest Float.
    public func floatValues() -> [Float] {
        let n = elementCount
        return withUnsafeRawBytes { raw in
            [Float](unsafeUninitializedCapacity: n) { out, initialized in
                defer { initialized = n }
                guard n > 0, let source = raw.baseAddress, let target = out.baseAddress else { return }
                switch dtype {
                case .f32:
                    UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: 4 * n)
                    #if _endian(big)
                    for i in 0..<n { target[i] = Float(bitPattern: UInt32(littleEndian: target[i].bitPattern)) }
                    #endif
                case .f16:
                    for i in 0..<n {
                        let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                        target[i] = HalfPrecision.float(fromHalfBits: bits)
                    }
                case .bf16:
                    for i in 0..<n {
                        let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                        target[i] = HalfPrecision.float(fromBFloat16Bits: bits)
                    }
                case .f64:
                    for i in 0..<n {
                        let bits = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                        target[i] = Float(Double(bitPattern: bits))
                    }
                case .bool, .u8:
                    for i in 0..<n { target[i] = Float(source.load(fromByteOffset: i, as: UInt8.self)) }
                case .i8:
                    for i in 0..<n { target[i] = Float(source.load(fromByteOffset: i, as: Int8.self)) }
                case .i16:
                    for i in 0..<n { target[i] = Float(Int16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
                case .u16:
                    for i in 0..<n { target[i] = Float(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
                case .i32:
                    for i in 0..<n { target[i] = Float(Int32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
                case .u32:
                    for i in 0..<n { target[i] = Float(UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
                case .i64:
                    for i in 0..<n { target[i] = Float(Int64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
                case .u64:
                    for i in 0..<n { target[i] = Float(UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
                }
            }
        }
    }

    /// Integer values as Int64 (throws for floating dtypes).
    ///
    /// Accepts every integer dtype and BOOL (0/1). Throws a ``CheckpointError`` for F16/BF16/F32/F64
    /// and for U64 values above `Int64.max`.
    public func int64Values() throws -> [Int64] {
        guard !dtype.isFloatingPoint else {
            throw CheckpointError(file: "<tensor>", message: "int64Values() called on a \(dtype.rawValue) tensor; use floatValues()")
        }
        let n = elementCount
        return try withUnsafeRawBytes { raw in
            try [Int64](unsafeUninitializedCapacity: n) { out, initialized in
                initialized = 0
                guard n > 0, let source = raw.baseAddress, let target = out.baseAddress else { return }
                switch dtype {
                case .bool, .u8:
                    for i in 0..<n { target[i] = Int64(source.load(fromByteOffset: i, as: UInt8.self)) }
                case .i8:
                    for i in 0..<n { target[i] = Int64(source.load(fromByteOffset: i, as: Int8.self)) }
                case .i16:
                    for i in 0..<n { target[i] = Int64(Int16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
                case .u16:
                    for i in 0..<n { target[i] = Int64(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
                case .i32:
                    for i in 0..<n { target[i] = Int64(Int32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
                case .u32:
                    for i in 0..<n { target[i] = Int64(UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
                case .i64:
                    for i in 0..<n { target[i] = Int64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)) }
                case .u64:
                    for i in 0..<n {
                        let value = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                        guard value <= UInt64(Int64.max) else {
                            throw CheckpointError(file: "<tensor>", message: "U64 value \(value) at index \(i) does not fit in Int64")
                        }
                        target[i] = Int64(value)
                    }
                case .f16, .bf16, .f32, .f64:
                    return  // excluded above
                }
                initialized = n
            }
        }
    }
}

extension StoredTensor: Equatable {
    /// Same dtype, same shape and bit-identical bytes.
    public static func == (lhs: StoredTensor, rhs: StoredTensor) -> Bool {
        guard lhs.dtype == rhs.dtype, lhs.shape == rhs.shape else { return false }
        return lhs.withUnsafeRawBytes { a in
            rhs.withUnsafeRawBytes { b in
                a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
            }
        }
    }
}

/// Turns a pickled tensor reference plus its storage bytes into a dense ``StoredTensor``.
enum TorchTensorMaterializer {
    /// The tensor `reference` (named `name` in messages) read from `storage`, the bytes of its root storage.
    ///
    /// Honours the storage view, storage offset and strides. A contiguous tensor in native byte order is
    /// returned as a view of `storage` (no copy); otherwise its elements are gathered into a new
    /// row-major buffer, byte-swapped when `byteSwap` is set (big-endian files).
    static func tensor(_ reference: TorchTensorReference, storage: TensorBytes, byteSwap: Bool,
                       file: String, name: String) throws -> StoredTensor {
        func fail(_ message: String) -> CheckpointError { CheckpointError(file: file, message: "tensor '\(name)': \(message)") }
        let storageRef = reference.storage
        let dtype = storageRef.dtype
        let elementSize = dtype.byteSize
        let (storageBytes, storageOverflow) = storageRef.elementCount.multipliedReportingOverflow(by: elementSize)
        guard !storageOverflow, storage.count == storageBytes else {
            throw fail("storage '\(storageRef.key)' holds \(storage.count) bytes, expected \(storageRef.elementCount) × \(elementSize)")
        }
        let shape = reference.shape
        let strides = reference.strides
        guard shape.count == strides.count, let count = StoredTensor.checkedElementCount(shape) else {
            throw fail("invalid size \(shape) / stride \(strides)")
        }
        if count == 0 {
            return StoredTensor(dtype: dtype, shape: shape, bytes: TensorBytes(count: 0) { _ in })
        }
        // Highest element index read, relative to the storage view; must stay inside the view.
        var last = reference.storageOffset
        for (size, stride) in zip(shape, strides) {
            let (step, overflow1) = (size - 1).multipliedReportingOverflow(by: stride)
            let (sum, overflow2) = last.addingReportingOverflow(step)
            guard !overflow1, !overflow2 else { throw fail("strides \(strides) overflow") }
            last = sum
        }
        guard last < storageRef.viewElementCount else {
            throw fail("reads element \(last) (offset \(reference.storageOffset), size \(shape), stride \(strides)) but storage '\(storageRef.key)' has \(storageRef.viewElementCount) elements")
        }
        let first = storageRef.viewOffset + reference.storageOffset

        var expected = 1
        var contiguous = true
        for dimension in stride(from: shape.count - 1, through: 0, by: -1) where shape[dimension] != 1 {
            if strides[dimension] != expected { contiguous = false; break }
            expected *= shape[dimension]
        }
        if contiguous && (!byteSwap || elementSize == 1) {
            let view = TensorBytes(slicing: storage, offset: first * elementSize, count: count * elementSize)
            return StoredTensor(dtype: dtype, shape: shape, bytes: view)
        }

        // Zero strides (expanded tensors) can make the dense copy much larger than the storage: cap it.
        let (denseBytes, denseOverflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !denseOverflow, denseBytes <= max(16 * storage.count, 1 << 30) else {
            throw fail("size \(shape) with stride \(strides) would expand \(storage.count) storage bytes to \(denseOverflow ? "over Int.max" : String(denseBytes)) bytes")
        }
        let gathered = TensorBytes(count: count * elementSize) { out in
            let source = storage.buffer.baseAddress!
            let target = out.baseAddress!
            let rank = shape.count
            let innerSize = rank == 0 ? 1 : shape[rank - 1]
            let innerStride = rank == 0 ? 0 : strides[rank - 1]
            var index = [Int](repeating: 0, count: max(rank - 1, 0))
            var written = 0
            while written < count {
                var base = first
                for d in 0..<index.count { base += index[d] * strides[d] }
                for j in 0..<innerSize {
                    let from = source + (base + j * innerStride) * elementSize
                    let to = target + (written + j) * elementSize
                    if byteSwap {
                        for b in 0..<elementSize { to.storeBytes(of: from.load(fromByteOffset: elementSize - 1 - b, as: UInt8.self), toByteOffset: b, as: UInt8.self) }
                    } else {
                        to.copyMemory(from: from, byteCount: elementSize)
                    }
                }
                written += innerSize
                var d = index.count - 1
                while d >= 0 {
                    index[d] += 1
                    if index[d] < shape[d] { break }
                    index[d] = 0
                    d -= 1
                }
            }
        }
        return StoredTensor(dtype: dtype, shape: shape, bytes: gathered)
    }
}

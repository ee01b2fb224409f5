import DeBERTaCheckpoint
import DeBERTaTensors

/// Turns a stored tensor of ids (input ids, token types, labels, positions) into an ``IndexTensor``
/// without silently changing a value: PyTorch's embeddings and losses take int64 or int32 indices
/// only (a boolean or byte tensor is an error there, so it is here), and a value outside the 32-bit
/// range of ``IndexTensor`` is refused rather than wrapped into some other, valid-looking id.
///
/// `mask` relaxes the dtype to any integer or boolean tensor, as transformers accepts for
/// `attention_mask`.
func indexTensor(_ tensor: StoredTensor, name: String, file: String, mask: Bool = false) throws -> IndexTensor {
    let indexTypes: [DType] = [.i64, .i32]
    guard indexTypes.contains(tensor.dtype) || (mask && !tensor.dtype.isFloatingPoint) else {
        throw CLIError("\(file): '\(name)' must be an \(mask ? "integer or boolean" : "int64 or int32") tensor, found \(tensor.dtype.rawValue)")
    }
    let values = try tensor.int64Values()
    var narrowed = [Int32](repeating: 0, count: values.count)
    for (i, v) in values.enumerated() {
        guard let n = Int32(exactly: v) else {
            throw CLIError("\(file): '\(name)' value \(v) (element \(i)) is outside the 32-bit range of ids")
        }
        narrowed[i] = n
    }
    return IndexTensor(narrowed, shape: tensor.shape)
}

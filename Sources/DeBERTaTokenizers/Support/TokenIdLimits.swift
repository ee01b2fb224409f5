/// Bounds on the token ids tokenizer files may declare, so that a hostile id is an error naming the
/// file instead of an arithmetic overflow (the vocabulary size is the largest id plus one) or an
/// allocation for every id below it.
enum TokenIdLimits {
    /// The largest id: ids travel as `Int32` in tensors, and the vocabulary size (one more) must fit too.
    static let largestId = Int(Int32.max) - 1

    /// How far the largest id of a vocabulary may lie beyond its number of entries. Ids index tables
    /// (``BytePairEncoding`` keeps the spelling of every id below the largest), and real
    /// vocabularies are dense; this leaves room for gaps without allowing one entry to demand gigabytes.
    static let largestGap = 1 << 20

    /// `id` when it is a valid token id; otherwise the error naming `what` in `path`.
    static func checked(_ id: Int?, _ what: String, path: String) throws -> Int {
        guard let id, id >= 0 else {
            throw TokenizerError.malformedFile(path: path, reason: "\(what) is not a non-negative integer")
        }
        guard id <= largestId else {
            throw TokenizerError.malformedFile(path: path, reason: "\(what) is \(id), beyond the largest token id \(largestId) (ids are 32-bit)")
        }
        return id
    }
}

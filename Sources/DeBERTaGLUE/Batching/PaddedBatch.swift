/// A batch of token-id sequences padded to a common length, stored row-major.
public struct PaddedBatch: Equatable, Sendable {
    /// The number of sequences.
    public let rows: Int
    /// The padded length (the longest sequence of the batch).
    public let columns: Int
    /// `rows × columns` token ids, row-major; positions past a sequence's end hold the pad id.
    public let tokenIDs: [Int32]
    /// `rows × columns` flags: 1 for a real token, 0 for padding.
    public let attentionMask: [Int32]
    /// The original length of each sequence.
    public let lengths: [Int]

    /// The padded token ids of row `row`.
    public func tokenIDs(row: Int) -> ArraySlice<Int32> {
        tokenIDs[(row * columns)..<((row + 1) * columns)]
    }

    /// The attention mask of row `row`.
    public func attentionMask(row: Int) -> ArraySlice<Int32> {
        attentionMask[(row * columns)..<((row + 1) * columns)]
    }
}

extension GLUEBatching {
    /// Pads every sequence on the right with `padID` to the length of the longest one (dynamic padding:
    /// each batch only as long as it needs to be). An empty batch gives `rows == 0, columns == 0`.
    public static func padToLongest(_ sequences: [[Int32]], padID: Int32) -> PaddedBatch {
        let columns = sequences.map(\.count).max() ?? 0
        var ids = [Int32](repeating: padID, count: sequences.count * columns)
        var mask = [Int32](repeating: 0, count: sequences.count * columns)
        for (row, sequence) in sequences.enumerated() {
            let base = row * columns
            for (column, id) in sequence.enumerated() {
                ids[base + column] = id
                mask[base + column] = 1
            }
        }
        return PaddedBatch(rows: sequences.count, columns: columns, tokenIDs: ids, attentionMask: mask,
                           lengths: sequences.map(\.count))
    }
}

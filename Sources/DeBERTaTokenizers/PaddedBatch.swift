/// Token-id sequences right-padded to the longest of them, row-major: the `input_ids` and
/// `attention_mask` of a batch (dynamic padding: each batch only as long as it needs to be).
/// Every batch of model inputs — fine-tuning, prediction, pretraining — is padded here.
public struct PaddedBatch: Equatable, Sendable {
    /// The number of sequences.
    public let rows: Int
    /// The padded length (the longest sequence of the batch).
    public let columns: Int
    /// `rows × columns` token ids, row-major; positions past a sequence's end hold the pad id.
    public let inputIds: [Int32]
    /// `rows × columns` flags: 1 for a real token, 0 for padding.
    public let attentionMask: [Int32]
    /// The original length of each sequence.
    public let lengths: [Int]

    /// Pads every sequence on the right with `padId` to the length of the longest one. An empty
    /// batch gives `rows == 0, columns == 0`. ``Tokenizer/padBatch(_:)`` pads with the tokenizer's
    /// own `[PAD]` id.
    public init(_ sequences: [[Int32]], padId: Int32) {
        rows = sequences.count
        columns = sequences.map(\.count).max() ?? 0
        lengths = sequences.map(\.count)
        var mask = [Int32](repeating: 0, count: rows * columns)
        for (row, sequence) in sequences.enumerated() {
            for column in sequence.indices { mask[row * columns + column] = 1 }
        }
        attentionMask = mask
        inputIds = Self.layout(sequences, columns: columns, padding: padId)
    }

    /// The padded token ids of row `row`.
    public func inputIds(row: Int) -> ArraySlice<Int32> {
        inputIds[(row * columns)..<((row + 1) * columns)]
    }

    /// The attention mask of row `row`.
    public func attentionMask(row: Int) -> ArraySlice<Int32> {
        attentionMask[(row * columns)..<((row + 1) * columns)]
    }

    /// Per-token values that go with the sequences (token type ids, prediction targets), one array
    /// per row and no longer than its sequence, laid out as ``inputIds`` with `padding` after each.
    public func aligned(_ values: [[Int32]], padding: Int32) -> [Int32] {
        precondition(values.count == rows && zip(values, lengths).allSatisfy { $0.count <= $1 },
                     "PaddedBatch.aligned: values must go with the batch's \(rows) sequences")
        return Self.layout(values, columns: columns, padding: padding)
    }

    private static func layout(_ rows: [[Int32]], columns: Int, padding: Int32) -> [Int32] {
        var out = [Int32](repeating: padding, count: rows.count * columns)
        for (row, values) in rows.enumerated() {
            for (column, value) in values.enumerated() { out[row * columns + column] = value }
        }
        return out
    }
}

/// Stage 4 of a tokenizer: adds the special tokens around the encoded segments and builds the
/// model inputs.
public protocol PostProcessor: Sendable {
    /// Number of special tokens added for one segment (`pair == false`) or two.
    func addedTokenCount(pair: Bool) -> Int

    /// Builds the encoding from the tokens of each segment (ids with their offsets already in
    /// Unicode scalars of their source text).
    func process(_ segments: [[TokenSpan]], firstSegmentIndex: [Int]) -> Encoding
}

/// DeBERTa's layout: `[CLS] A [SEP]` or `[CLS] A [SEP] B [SEP]`, type ids 0 up to and including the
/// first `[SEP]`, then 1.
public struct DeBERTaPostProcessor: PostProcessor {
    /// `[CLS]` id.
    public var clsId: Int
    /// `[SEP]` id.
    public var sepId: Int

    /// Creates the post-processor.
    public init(clsId: Int, sepId: Int) {
        self.clsId = clsId
        self.sepId = sepId
    }

    /// 2 (`[CLS]`, `[SEP]`) for one segment, 3 for two.
    public func addedTokenCount(pair: Bool) -> Int { pair ? 3 : 2 }

    /// `segments` are written in the given order with type ids 0, 1, …; `sourceIndex[k]` says which
    /// input text segment k came from (it differs from k only after the original truncation
    /// reordered them).
    public func process(_ segments: [[TokenSpan]], firstSegmentIndex sourceIndex: [Int]) -> Encoding {
        let total = 1 + segments.reduce(0) { $0 + $1.count + 1 }
        var ids = [Int](); ids.reserveCapacity(total)
        var types = [Int](); types.reserveCapacity(total)
        var offsets = [Range<Int>](); offsets.reserveCapacity(total)
        var sequence = [Int?](); sequence.reserveCapacity(total)
        var special = [Int](); special.reserveCapacity(total)
        ids.append(clsId); types.append(0); offsets.append(0..<0); sequence.append(nil); special.append(1)
        for (k, segment) in segments.enumerated() {
            for token in segment {
                ids.append(Int(token.id))
                types.append(k)
                offsets.append(Int(token.start)..<Int(token.end))
                sequence.append(sourceIndex[k])
                special.append(0)
            }
            ids.append(sepId); types.append(k); offsets.append(0..<0); sequence.append(nil); special.append(1)
        }
        return Encoding(inputIds: ids, tokenTypeIds: types, attentionMask: [Int](repeating: 1, count: ids.count),
                        offsets: offsets, sequenceIds: sequence, specialTokensMask: special)
    }
}

/// The model inputs for one text or text pair.
///
/// For a single text: `[CLS] A [SEP]`; for a pair: `[CLS] A [SEP] B [SEP]` (one separator between
/// the segments, as DeBERTa was trained). All arrays have the same length.
public struct Encoding: Sendable, Equatable {
    /// Token ids, padded with `[PAD]` when padding was requested.
    public var inputIds: [Int]
    /// 0 for `[CLS]`, segment A and the first `[SEP]`; 1 for segment B and the final `[SEP]`;
    /// 0 for padding.
    public var tokenTypeIds: [Int]
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [Int]
    /// For each token, the range it covers in its source text, counted in Unicode scalars (the
    /// same unit as Python string indices). Special and padding tokens have an empty range at 0.
    /// Byte-level tokens that cover part of a character report the whole character.
    public var offsets: [Range<Int>]
    /// For each token, which input it came from: 0 (first text), 1 (second text), or nil for
    /// special and padding tokens.
    public var sequenceIds: [Int?]
    /// 1 for special tokens added by post-processing and for padding, 0 otherwise.
    public var specialTokensMask: [Int]

    /// Number of tokens (including padding).
    public var count: Int { inputIds.count }

    /// Creates an encoding; all arrays must have the same length.
    public init(inputIds: [Int], tokenTypeIds: [Int], attentionMask: [Int], offsets: [Range<Int>],
                sequenceIds: [Int?], specialTokensMask: [Int]) {
        self.inputIds = inputIds
        self.tokenTypeIds = tokenTypeIds
        self.attentionMask = attentionMask
        self.offsets = offsets
        self.sequenceIds = sequenceIds
        self.specialTokensMask = specialTokensMask
    }

    /// Appends `[PAD]` tokens on the right until the encoding has `length` tokens (no-op if it is
    /// already that long).
    public mutating func pad(to length: Int, padId: Int) {
        let missing = length - inputIds.count
        guard missing > 0 else { return }
        inputIds.append(contentsOf: repeatElement(padId, count: missing))
        tokenTypeIds.append(contentsOf: repeatElement(0, count: missing))
        attentionMask.append(contentsOf: repeatElement(0, count: missing))
        offsets.append(contentsOf: repeatElement(0..<0, count: missing))
        sequenceIds.append(contentsOf: repeatElement(nil, count: missing))
        specialTokensMask.append(contentsOf: repeatElement(1, count: missing))
    }
}

/// How an over-long input is shortened to fit a maximum length (special tokens included).
public enum TruncationStrategy: Sendable, Equatable {
    /// Hugging Face's default: remove tokens from the end of the longer segment, one at a time
    /// (the second segment when both are equally long).
    case longestFirst
    /// Remove tokens from the end of the first segment only.
    case onlyFirst
    /// Remove tokens from the end of the second segment only.
    case onlySecond
    /// The original DeBERTa data pipeline (`_truncate_segments` in `DeBERTa/data/example.py`):
    /// repeatedly sort the segments by length (longest first, stable), then drop a token from the
    /// front or the back of the longest with probability ½ each, drawing from Python's
    /// `random.Random(seed)`. The segments stay in their sorted order in the output, exactly as
    /// the original does (so a longer second segment comes first after truncation). The GLUE
    /// pipeline seeds with the example's index in the data set.
    case original(seed: Int)
}

/// Padding applied after truncation.
public enum Padding: Sendable, Equatable {
    /// No padding.
    case none
    /// Pad every encoding to exactly this many tokens (at least; longer ones are not cut).
    case toLength(Int)
    /// In batch encoding, pad to the longest encoding of the batch (single encodes: no padding).
    case longest
}

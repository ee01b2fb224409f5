extension GLUEBatching {
    /// Hugging Face's `longest_first` truncation of a sentence pair: while A + B + `specialTokens` exceeds
    /// `maxSequenceLength`, drop the **last** token of the longer segment (of B when they are equally
    /// long). With no B, A is cut to `maxSequenceLength − specialTokens`.
    /// - Parameters:
    ///   - specialTokens: slots kept for `[CLS]`/`[SEP]`; defaults to 3 for a pair, 2 for one segment.
    /// - Throws: `.invalidArgument` if `maxSequenceLength` leaves no room even for the special tokens.
    public static func truncateLongestFirst<T>(_ a: [T], _ b: [T]?, maxSequenceLength: Int,
                                               specialTokens: Int? = nil) throws -> (a: [T], b: [T]?) {
        let reserved = specialTokens ?? (b == nil ? 2 : 3)
        let budget = maxSequenceLength - reserved
        guard budget >= 0 else {
            throw GLUEError(.invalidArgument, "truncateLongestFirst: max length \(maxSequenceLength) leaves no "
                            + "room for \(reserved) special tokens")
        }
        guard let b else { return (Array(a.prefix(budget)), nil) }
        var lengthA = a.count, lengthB = b.count
        while lengthA + lengthB > budget {
            if lengthA > lengthB { lengthA -= 1 } else { lengthB -= 1 }
        }
        return (Array(a.prefix(lengthA)), Array(b.prefix(lengthB)))
    }

    /// The original app's truncation (`DeBERTa/data/example.py`, `_truncate_segments`): while the segments
    /// hold more than `maxSequenceLength − (segments.count + 1)` tokens, sort them longest first (a stable
    /// sort, so on a tie the earlier segment comes first) and remove one token from the first — from its
    /// front if `rng.random() < 0.5`, else from its back.
    ///
    /// The original evaluates example *i* with `random.Random(i)`; pass `PythonRandom(seed: i)` to replay
    /// it exactly (in training the seed is the position in the shuffled epoch stream, not the example).
    ///
    /// Quirk reproduced by default: the original returns the segments **in the order of its last sort**,
    /// so when truncation happened and B is longer than A, the feature becomes `[CLS] B [SEP] A [SEP]`.
    /// Pass `keepSegmentOrder: true` to get the segments back in input order instead.
    /// - Throws: `.invalidArgument` if the budget is negative (the original fails an assertion there).
    public static func truncateLikeOriginal<T>(_ segments: [[T]], maxSequenceLength: Int,
                                               rng: inout PythonRandom,
                                               keepSegmentOrder: Bool = false) throws -> [[T]] {
        let budget = maxSequenceLength - segments.count - 1
        guard budget >= 0 else {
            throw GLUEError(.invalidArgument, "truncateLikeOriginal: max length \(maxSequenceLength) leaves no "
                            + "room for \(segments.count + 1) special tokens")
        }
        var current = segments
        var order = Array(segments.indices)   // current[k] is input segment order[k]
        while current.reduce(0, { $0 + $1.count }) > budget {
            let permutation = current.indices.sorted { i, j in
                current[i].count != current[j].count ? current[i].count > current[j].count : i < j
            }
            current = permutation.map { current[$0] }
            order = permutation.map { order[$0] }
            if rng.random() < 0.5 {
                current[0].removeFirst()
            } else {
                current[0].removeLast()
            }
        }
        guard keepSegmentOrder else { return current }
        var restored = segments
        for (k, input) in order.enumerated() { restored[input] = current[k] }
        return restored
    }
}

import DeBERTaPythonCompat
/// Shortens segments to a token budget (special tokens already subtracted).
enum Truncation {
    /// Truncates `segments` in place to at most `budget` tokens in total. Returns, for each output
    /// segment, the index of the input it came from (only `.original` may reorder them).
    static func apply(_ segments: inout [[TokenSpan]], budget: Int, strategy: TruncationStrategy) throws -> [Int] {
        let total = segments.reduce(0) { $0 + $1.count }
        guard total > budget else { return Array(segments.indices) }
        switch strategy {
        case .longestFirst:
            SegmentTruncation.longestFirst(&segments, budget: budget)
        case .onlyFirst, .onlySecond:
            let target = strategy == .onlyFirst ? 0 : 1
            guard target < segments.count else {
                throw TokenizerError.invalidArgument("truncation .onlySecond needs a second text")
            }
            let excess = total - budget
            guard segments[target].count >= excess else {
                throw TokenizerError.invalidArgument(
                    "cannot truncate to the maximum length with \(strategy): the \(target == 0 ? "first" : "second") text has \(segments[target].count) tokens but \(excess) must be removed")
            }
            segments[target].removeLast(excess)
        case .original(let seed):
            var random = PythonRandom(seed: seed)
            return SegmentTruncation.original(&segments, budget: budget, random: &random)
        }
        return Array(segments.indices)
    }
}

/// Pair truncation on any token representation (ids, spans), shared by the tokenizer and by
/// feature builders that tokenize segments separately.
public enum SegmentTruncation {
    /// transformers' `longest_first`: one token at a time off the end of the longer segment (on a
    /// tie, off the second), until at most `budget` tokens remain.
    public static func longestFirst<T>(_ segments: inout [[T]], budget: Int) {
        var total = segments.reduce(0) { $0 + $1.count }
        while total > budget {
            if segments.count > 1 && segments[1].count >= segments[0].count {
                segments[1].removeLast()
            } else {
                segments[0].removeLast()
            }
            total -= 1
        }
    }

    /// The original DeBERTa app's `_truncate_segments`: while over `budget`, sort the segments by
    /// length (longest first, stable) and drop the first or last token of the longest, each with
    /// probability ½ from `random`. The segments stay in that sorted order, as in the original (so a
    /// longer B comes first); the result gives each output segment's input index.
    @discardableResult
    public static func original<T>(_ segments: inout [[T]], budget: Int, random: inout PythonRandom) -> [Int] {
        var total = segments.reduce(0) { $0 + $1.count }
        // Each segment is cut as a window [lower, upper) of its tokens: dropping the first token of
        // an array shifts all the others, which made a segment of millions of tokens (one malformed
        // TSV line) take quadratic time.
        var items = segments.indices.map { (index: $0, lower: 0, upper: segments[$0].count) }
        while total > max(budget, 0) {
            // Python's sorted(..., reverse=True) is stable: equal lengths keep their order.
            items = items.enumerated()
                .sorted { a, b in
                    let la = a.element.upper - a.element.lower, lb = b.element.upper - b.element.lower
                    return la != lb ? la > lb : a.offset < b.offset
                }
                .map(\.element)
            if random.random() < 0.5 { items[0].lower += 1 } else { items[0].upper -= 1 }
            total -= 1
        }
        let whole = segments
        segments = items.map { Array(whole[$0.index][$0.lower..<$0.upper]) }
        return items.map(\.index)
    }
}

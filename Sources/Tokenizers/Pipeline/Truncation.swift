/// Shortens segments to a token budget (special tokens already subtracted).
enum Truncation {
    /// Truncates `segments` in place to at most `budget` tokens in total. Returns, for each output
    /// segment, the index of the input it came from (only `.original` may reorder them).
    static func apply(_ segments: inout [[TokenSpan]], budget: Int, strategy: TruncationStrategy) throws -> [Int] {
        var order = Array(segments.indices)
        var total = segments.reduce(0) { $0 + $1.count }
        guard total > budget else { return order }
        switch strategy {
        case .longestFirst:
            while total > budget {
                if segments.count > 1 && segments[1].count >= segments[0].count {
                    segments[1].removeLast()
                } else {
                    segments[0].removeLast()
                }
                total -= 1
            }
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
            var items = Array(zip(order, segments))
            while total > budget {
                // Python's sorted(..., reverse=True) is stable: equal lengths keep their order.
                items = stableSortedByLengthDescending(items)
                if random.random() < 0.5 {
                    items[0].1.removeFirst()
                } else {
                    items[0].1.removeLast()
                }
                total -= 1
            }
            order = items.map(\.0)
            segments = items.map(\.1)
        }
        return order
    }

    private static func stableSortedByLengthDescending(_ items: [(Int, [TokenSpan])]) -> [(Int, [TokenSpan])] {
        items.enumerated()
            .sorted { a, b in
                a.element.1.count != b.element.1.count ? a.element.1.count > b.element.1.count : a.offset < b.offset
            }
            .map(\.element)
    }
}

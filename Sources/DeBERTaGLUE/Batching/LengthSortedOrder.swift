extension GLUEBatching {
    /// The indices of `sequences` ordered by length (longest first by default; equal lengths keep input
    /// order). Evaluating in this order makes padded batches tight; `restoreInputOrder` puts the results
    /// back.
    public static func lengthSortedOrder(_ sequences: [[Int32]], longestFirst: Bool = true) -> [Int] {
        let lengths = sequences.map(\.count)
        // Sort (length, index) pairs so the order is deterministic and stable.
        return sequences.indices.sorted { i, j in
            if lengths[i] != lengths[j] { return longestFirst ? lengths[i] > lengths[j] : lengths[i] < lengths[j] }
            return i < j
        }
    }

    /// Splits `order` into consecutive batches of at most `batchSize` indices (the last may be shorter).
    /// - Throws: `.invalidArgument` if `batchSize` is not positive.
    public static func batches(_ order: [Int], batchSize: Int) throws -> [[Int]] {
        guard batchSize > 0 else {
            throw GLUEError(.invalidArgument, "batches: batch size must be positive, got \(batchSize)")
        }
        return stride(from: 0, to: order.count, by: batchSize).map {
            Array(order[$0..<min($0 + batchSize, order.count)])
        }
    }

    /// Maps results computed in `order` back to input order: `results[k]` belongs to input `order[k]`, so
    /// the returned array has `results[k]` at position `order[k]`.
    /// - Throws: `.invalidArgument` if the counts differ or `order` is not a permutation of `0..<count`.
    public static func restoreInputOrder<T>(_ results: [T], order: [Int]) throws -> [T] {
        guard results.count == order.count else {
            throw GLUEError(.invalidArgument, "restoreInputOrder: \(results.count) results for an order of "
                            + "\(order.count) indices")
        }
        var restored = [T?](repeating: nil, count: results.count)
        for (k, index) in order.enumerated() {
            guard (0..<results.count).contains(index) else {
                throw GLUEError(.invalidArgument, "restoreInputOrder: order[\(k)] = \(index) is outside "
                                + "0..<\(results.count)")
            }
            guard restored[index] == nil else {
                throw GLUEError(.invalidArgument, "restoreInputOrder: index \(index) appears twice in the order")
            }
            restored[index] = results[k]
        }
        return restored.map { $0! }
    }
}

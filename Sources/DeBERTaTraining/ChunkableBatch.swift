import DeBERTaTensors

/// A batch whose rows can be taken apart: the chunks of `--accumulative_update`.
public protocol ChunkableBatch {
    /// Number of examples (rows).
    var rowCount: Int { get }
    /// The batch restricted to the rows `range`.
    func rows(_ range: Range<Int>) -> Self
}

extension ChunkableBatch {
    /// The batch split into consecutive row ranges of `ceil(rows / n)` rows (the last may be
    /// shorter), as the original's `--accumulative_update` splits it.
    public func chunks(_ n: Int) -> [Self] {
        let per = max((rowCount + max(n, 1) - 1) / max(n, 1), 1)
        return stride(from: 0, to: rowCount, by: per).map { rows($0..<min($0 + per, rowCount)) }
    }
}

extension IndexTensor {
    /// The rows `range` of a tensor whose first dimension counts examples.
    public func rows(_ range: Range<Int>) -> IndexTensor {
        let width = shape[0] == 0 ? 0 : count / shape[0]
        return IndexTensor(Array(values[(range.lowerBound * width)..<(range.upperBound * width)]), shape: [range.count] + shape.dropFirst())
    }
}

extension Tensor {
    /// The rows `range` of a tensor whose first dimension counts examples.
    public func rows(_ range: Range<Int>) -> Tensor {
        let width = shape[0] == 0 ? 0 : count / shape[0]
        return Tensor(Array(UnsafeBufferPointer(start: data + range.lowerBound * width, count: range.count * width)),
                      shape: [range.count] + shape.dropFirst())
    }
}

/// A gold label or a prediction: a class index for classification tasks, a real-valued score for STS-B.
public enum LabelValue: Equatable, Hashable, Sendable {
    /// A class index into the task's `labels` (0-based, in the original code's label order).
    case classIndex(Int)
    /// A regression score (STS-B similarity, nominally in [0, 5]).
    case score(Double)

    /// The class index, or `nil` for a score.
    public var classIndex: Int? {
        if case .classIndex(let index) = self { return index }
        return nil
    }

    /// The score, or `nil` for a class index.
    public var score: Double? {
        if case .score(let value) = self { return value }
        return nil
    }
}

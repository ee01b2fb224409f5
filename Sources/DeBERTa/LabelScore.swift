/// One label of a classification and its score.
public struct LabelScore: Sendable, Equatable, CustomStringConvertible {
    /// The label's name, from the model's `id2label` (`LABEL_k` where the configuration has none).
    public var label: String
    /// The class index `k` (the logit's column).
    public var index: Int
    /// A probability (softmax or sigmoid of the logit) or, for regression, the raw output; see
    /// ``TextClassifier/ScoreFunction``.
    public var score: Double

    /// Creates a label score.
    public init(label: String, index: Int, score: Double) {
        self.label = label
        self.index = index
        self.score = score
    }

    /// `label: score`, the score with four decimals.
    public var description: String {
        let rounded = (score * 10_000).rounded() / 10_000
        return "\(label): \(rounded)"
    }
}

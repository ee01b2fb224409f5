import Foundation

extension TextClassifier {
    /// How a row of logits becomes scores, chosen as transformers' text-classification pipeline
    /// chooses it (``default(problemType:numLabels:)``).
    public enum ScoreFunction: String, Sendable, Equatable {
        /// Probabilities over mutually exclusive labels: `exp(zₖ − max z) / Σⱼ exp(zⱼ − max z)`.
        case softmax
        /// An independent probability per label, `1 / (1 + exp(−zₖ))` (multi-label models, and
        /// single-output models not marked as regression).
        case sigmoid
        /// The logits unchanged (regression).
        case identity

        /// transformers' rule: `problem_type` `regression` → identity; `multi_label_classification`
        /// or a single output → sigmoid; otherwise (`single_label_classification`, several
        /// outputs) → softmax. Folders this package saves mark single-output heads as
        /// `regression`, so their scores are the raw predictions.
        public static func `default`(problemType: String?, numLabels: Int) -> ScoreFunction {
            if problemType == "regression" { return .identity }
            if problemType == "multi_label_classification" || numLabels == 1 { return .sigmoid }
            return .softmax
        }

        /// The scores of one row of logits, in Double so that probabilities sum to 1 to rounding.
        public func apply(_ logits: [Float]) -> [Double] {
            switch self {
            case .softmax: return softmaxProbabilities(logits[...])
            case .sigmoid: return logits.map { 1 / (1 + Foundation.exp(-Double($0))) }
            case .identity: return logits.map(Double.init)
            }
        }
    }
}

/// Softmax of a row of logits, shifted by its maximum so that large logits do not overflow.
func softmaxProbabilities<C: Collection>(_ row: C) -> [Double] where C.Element == Float {
    let largest = Double(row.max() ?? 0)
    var probabilities = row.map { Foundation.exp(Double($0) - largest) }
    let total = probabilities.reduce(0, +)
    for k in probabilities.indices { probabilities[k] /= total }
    return probabilities
}

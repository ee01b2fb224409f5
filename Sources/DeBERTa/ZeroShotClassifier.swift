import Foundation

/// Zero-shot classification with an NLI model, as transformers' `zero-shot-classification` pipeline
/// does it: each candidate label becomes a hypothesis (`hypothesis_template` filled with the label)
/// paired with the text as premise; the model's entailment logits rank the labels.
///
/// ```swift
/// let zeroShot = try ZeroShotClassifier(folder: URL(fileURLWithPath: "deberta-v3-base-mnli"))
/// let result = try zeroShot.classify("The match went to extra time.", candidateLabels: ["sport", "politics"])
/// // result.labels best first, result.scores summing to 1
/// ```
public struct ZeroShotClassifier {
    /// The answer for one text: labels best first with their scores.
    public struct Result: Sendable, Equatable {
        public var sequence: String
        public var labels: [String]
        public var scores: [Double]

        /// `{"sequence": …, "labels": […], "scores": […]}` as transformers returns it.
        public var pipelineJSON: PipelineJSON {
            .object([("sequence", .string(sequence)), ("labels", .array(labels.map(PipelineJSON.string))),
                     ("scores", .array(scores.map(PipelineJSON.number)))])
        }
    }

    /// transformers' default hypothesis.
    public static let defaultHypothesisTemplate = "This example is {}."

    /// The NLI classifier (its labels name entailment and contradiction).
    public let classifier: TextClassifier
    /// The class index of entailment: the first label (by index) whose name starts with "entail",
    /// case-insensitive; the last class when none does (transformers' −1).
    public let entailmentIndex: Int
    /// The class index used as contradiction in the multi-label form: 0, or the last class when
    /// entailment is class 0 (transformers' rule).
    public let contradictionIndex: Int

    /// Loads an NLI model folder with a sequence-classification head.
    public init(folder: URL, tokenizerFolder: URL? = nil, maxLength: Int? = nil) throws {
        try self.init(classifier: TextClassifier(folder: folder, tokenizerFolder: tokenizerFolder, maxLength: maxLength))
    }

    /// A zero-shot classifier from an NLI text classifier.
    public init(classifier: TextClassifier) throws {
        let count = classifier.labels.count
        guard count >= 2 else {
            throw InferenceError.unsuitableModel(folder: "the model", reason: "zero-shot classification needs an NLI model with at least 2 labels (entailment, contradiction), not \(count)")
        }
        self.classifier = classifier
        let entail = classifier.labels.firstIndex { $0.lowercased().hasPrefix("entail") } ?? (count - 1)
        entailmentIndex = entail
        contradictionIndex = entail == 0 ? count - 1 : 0
    }

    /// Splits transformers' comma-separated label string: `"a, b"` → `["a", "b"]`, blanks dropped.
    public static func candidateLabels(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Ranks `candidateLabels` for `sequence`.
    ///
    /// - Parameters:
    ///   - multiLabel: false → a softmax over the labels' entailment logits (scores sum to 1); true
    ///     → per label a softmax over [contradiction, entailment], the entailment probability. A
    ///     single candidate label always takes the multi-label form, as in transformers.
    ///   - hypothesisTemplate: must contain `{}`, replaced by the label.
    /// - Throws: ``InferenceError/invalidInput(_:)`` for no labels or a template without `{}`.
    public func classify(_ sequence: String, candidateLabels: [String], hypothesisTemplate: String = defaultHypothesisTemplate,
                         multiLabel: Bool = false) throws -> Result {
        guard !candidateLabels.isEmpty else { throw InferenceError.invalidInput("no candidate labels") }
        guard hypothesisTemplate.contains("{}") else {
            throw InferenceError.invalidInput("the hypothesis template \"\(hypothesisTemplate)\" has no {} for the label")
        }
        let pairs = candidateLabels.map { (text: sequence, pair: hypothesisTemplate.replacingOccurrences(of: "{}", with: $0)) }
        let logits = try classifier.logits(ModelInput(pairs: pairs, tokenizer: classifier.tokenizer, maxLength: classifier.maxLength))
        let scores: [Double]
        if multiLabel || candidateLabels.count == 1 {
            scores = logits.map { softmaxProbabilities([$0[contradictionIndex], $0[entailmentIndex]])[1] }
        } else {
            scores = softmaxProbabilities(logits.map { $0[entailmentIndex] })
        }
        // numpy's argsort (stable for these short rows) reversed: best first, equal scores last index first.
        let ascending = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] < scores[$1] : $0 < $1 }
        let order = Array(ascending.reversed())
        return Result(sequence: sequence, labels: order.map { candidateLabels[$0] }, scores: order.map { scores[$0] })
    }
}

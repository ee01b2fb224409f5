import Foundation

extension TextClassifier.ScoreFunction {
    /// The function named as transformers' `function_to_apply` names it: `softmax`, `sigmoid`, `none`.
    public init?(pipelineName: String) {
        switch pipelineName.lowercased() {
        case "softmax": self = .softmax
        case "sigmoid": self = .sigmoid
        case "none": self = .identity
        default: return nil
        }
    }
}

extension TextClassifier {
    /// How many labels the `text-classification` pipeline returns, and in which shape.
    public enum TopK: Sendable, Equatable {
        /// `top_k` not given: the best label only, as one `{label, score}` object — wrapped in a
        /// list when the input was a single string (transformers' legacy shape).
        case legacy
        /// `top_k=None`: every label, best first.
        case all
        /// `top_k=k`: the `k` best labels (all when there are fewer), best first.
        case count(Int)
    }

    /// The answer of transformers' `text-classification` pipeline for one text or text pair.
    ///
    /// - Parameters:
    ///   - text: the text (the first of a pair).
    ///   - pair: the second text (`{"text": …, "text_pair": …}` in transformers).
    ///   - topK: ``TopK/legacy`` gives `[{label, score}]` for a text and `{label, score}` for a pair;
    ///     otherwise a list of `{label, score}` best first.
    ///   - function: overrides ``scoreFunction`` (`function_to_apply`).
    public func pipeline(_ text: String, pair: String? = nil, topK: TopK = .legacy, function: ScoreFunction? = nil) throws -> PipelineJSON {
        let input = try ModelInput(text: text, pair: pair, tokenizer: tokenizer, maxLength: maxLength)
        let scores = try classify(input, function: function)[0]
        switch topK {
        case .legacy:
            let best = scores[0].pipelineJSON
            return pair == nil ? .array([best]) : best
        case .all: return .array(scores.map(\.pipelineJSON))
        case .count(let k): return .array(scores.prefix(max(0, k)).map(\.pipelineJSON))
        }
    }

    /// The answer of the `text-classification` pipeline for a list of texts: one entry per text,
    /// ``TopK/legacy`` giving each text's best `{label, score}`, otherwise each text's list.
    public func pipeline(_ texts: [String], topK: TopK = .legacy, function: ScoreFunction? = nil, batchSize: Int = 32) throws -> PipelineJSON {
        guard !texts.isEmpty else { throw InferenceError.invalidInput("no texts to classify") }
        var answers: [PipelineJSON] = []
        for start in stride(from: 0, to: texts.count, by: max(1, batchSize)) {
            let batch = try ModelInput(texts: Array(texts[start..<min(start + max(1, batchSize), texts.count)]), tokenizer: tokenizer, maxLength: maxLength)
            for scores in try classify(batch, function: function) {
                switch topK {
                case .legacy: answers.append(scores[0].pipelineJSON)
                case .all: answers.append(.array(scores.map(\.pipelineJSON)))
                case .count(let k): answers.append(.array(scores.prefix(max(0, k)).map(\.pipelineJSON)))
                }
            }
        }
        return .array(answers)
    }

    /// The scores of each row of a prepared batch under `function` (``scoreFunction`` when nil), best first.
    public func classify(_ input: ModelInput, topK: Int? = nil, function: ScoreFunction?) throws -> [[LabelScore]] {
        let apply = function ?? scoreFunction
        return try logits(input).map { row in
            let scores = apply.apply(row)
            // Best first; ties keep the class order, as Python's stable sort does in the pipeline.
            let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            return order.prefix(max(0, topK ?? order.count)).map { LabelScore(label: labels[$0], index: $0, score: scores[$0]) }
        }
    }
}

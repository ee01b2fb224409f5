import DeBERTaTensors

extension DeBERTaModel {
    /// The label transformers' losses skip (`CrossEntropyLoss`'s default `ignore_index`); any other
    /// negative class is an error there, and here.
    public static let ignoredLabel: Int32 = -100

    /// Checks that `labels` fit the head and the batch, so that a bad labels file is an error rather
    /// than a crash or a silently wrong loss: the shape (`[B]` or `[B, 1]` per sequence, the shape of
    /// `input_ids` per token) and the class range (`[0, classes)`, or −100 where transformers
    /// ignores a label).
    func validate(_ labels: Labels?, input: ModelInput) throws {
        guard let labels else { return }
        let s = input.inputIds.shape
        guard let rows = s.first, s.count >= 2 else { return }  // the pass reports the shape of input_ids
        let tokenShape = s.count == 3 ? [s[0] * s[1], s[2]] : s
        func perSequence(_ shape: [Int], _ what: String, width: Int = 1) throws {
            guard shape == [rows] && width == 1 || shape == [rows, width] else {
                throw ModelError.input("\(what): labels of shape \(shape) for a batch of \(rows) sequence\(rows == 1 ? "" : "s") (expected [\(rows)]\(width == 1 ? " or [\(rows), 1]" : ", \(width)]"))")
            }
        }
        func perToken(_ shape: [Int], _ what: String) throws {
            guard shape == s || shape == tokenShape else {
                throw ModelError.input("\(what): labels of shape \(shape) for input_ids of shape \(s) (expected one label per token)")
            }
        }
        func classes(_ y: IndexTensor, _ count: Int, _ what: String) throws {
            if let bad = y.values.first(where: { ($0 < 0 && $0 != Self.ignoredLabel) || Int($0) >= count }) {
                throw ModelError.input("\(what): label \(bad) outside [0, \(count)) (−100 marks a label to ignore)")
            }
        }
        switch (head, labels) {
        case let (.sequenceClassification(n), .classes(y)):
            try perSequence(y.shape, "sequence classification")
            if n > 1 && configuration.problemType != "regression" { try classes(y, n, "sequence classification") }
        case let (.sequenceClassification(n), .values(y)):
            try perSequence(y.shape, "regression", width: n)
        case let (.tokenClassification(n), .classes(y)):
            try perToken(y.shape, "token classification")
            try classes(y, n, "token classification")
        case let (.maskedLM, .classes(y)):
            try perToken(y.shape, "masked LM")
            try classes(y, configuration.vocabSize, "masked LM")
        case let (.multipleChoice, .classes(y)):
            guard s.count == 3 else { throw ModelError.input("multiple choice input_ids must be [batch, choices, length], got \(s)") }
            try perSequence(y.shape, "multiple choice")
            try classes(y, s[1], "multiple choice")
        case let (.questionAnswering, .spans(start, end)):
            // transformers clamps positions into [0, N] and ignores N, so any value is meaningful.
            try perSequence(start.shape, "question answering start_positions")
            try perSequence(end.shape, "question answering end_positions")
        case let (.replacedTokenDetection, .values(y)):
            try perToken(y.shape, "replaced-token detection")
        case (.encoderOnly, _): throw ModelError.input("the bare encoder has no head, so labels cannot be scored")
        default: throw ModelError.input("these labels do not fit a \(head) head")
        }
    }
}

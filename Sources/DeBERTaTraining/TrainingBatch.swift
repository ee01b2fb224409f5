import DeBERTaModeling
import DeBERTaTensors

/// Inputs and targets of one optimizer step.
public struct TrainingBatch {
    public var input: ModelInput
    public var labels: Labels

    public init(input: ModelInput, labels: Labels) {
        self.input = input
        self.labels = labels
    }
}

extension TrainingBatch: ChunkableBatch {
    /// Number of examples (rows of `input_ids`).
    public var rowCount: Int { input.inputIds.shape[0] }

    /// The batch restricted to the rows `range`, inputs and labels.
    public func rows(_ range: Range<Int>) -> TrainingBatch {
        let input = ModelInput(inputIds: self.input.inputIds.rows(range), attentionMask: self.input.attentionMask?.rows(range),
                               tokenTypeIds: self.input.tokenTypeIds?.rows(range), positionIds: self.input.positionIds?.rows(range))
        let labels: Labels
        switch self.labels {
        case .classes(let y): labels = .classes(y.rows(range))
        case .values(let y): labels = .values(y.rows(range))
        case let .spans(s, e): labels = .spans(start: s.rows(range), end: e.rows(range))
        }
        return TrainingBatch(input: input, labels: labels)
    }
}

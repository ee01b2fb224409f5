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

    /// Number of examples (rows of `input_ids`).
    public var size: Int { input.inputIds.shape[0] }

    /// The batch split into `n` row ranges of ceil(size / n) rows (the original's
    /// `--accumulative_update`), each with its own inputs and labels.
    public func chunks(_ n: Int) -> [TrainingBatch] {
        let per = (size + n - 1) / max(n, 1)
        return stride(from: 0, to: size, by: max(per, 1)).map { rows(Array($0..<min($0 + per, size))) }
    }

    /// The batch restricted to `rows`.
    public func rows(_ rows: [Int]) -> TrainingBatch {
        func pick(_ t: IndexTensor?) -> IndexTensor? {
            guard let t else { return nil }
            let width = t.count / t.shape[0]
            var v: [Int32] = []
            v.reserveCapacity(rows.count * width)
            for r in rows { v.append(contentsOf: t.values[(r * width)..<((r + 1) * width)]) }
            return IndexTensor(v, shape: [rows.count] + t.shape.dropFirst())
        }
        func pick(_ t: Tensor) -> Tensor {
            let width = t.count / t.shape[0]
            var v: [Float] = []
            for r in rows { v.append(contentsOf: UnsafeBufferPointer(start: t.data + r * width, count: width)) }
            return Tensor(v, shape: [rows.count] + t.shape.dropFirst())
        }
        let input = ModelInput(inputIds: pick(self.input.inputIds)!, attentionMask: pick(self.input.attentionMask),
                               tokenTypeIds: pick(self.input.tokenTypeIds), positionIds: pick(self.input.positionIds))
        let labels: Labels
        switch self.labels {
        case .classes(let y): labels = .classes(pick(y)!)
        case .values(let y): labels = .values(pick(y))
        case let .spans(s, e): labels = .spans(start: pick(s)!, end: pick(e)!)
        }
        return TrainingBatch(input: input, labels: labels)
    }
}

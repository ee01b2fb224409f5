import DeBERTaGLUE
import DeBERTaModeling
import DeBERTaTensors
import DeBERTaTokenizers
import DeBERTaTraining

/// Batches of GLUE features and predictions over them.
extension GLUEFineTuning {
    /// `items` as one batch, padded with `padId` (the tokenizer's `[PAD]`); with their labels, or
    /// with ignored ones (-100) for prediction.
    func makeBatch(_ items: [GLUEFeature], padId: Int32, labelled: Bool) throws -> TrainingBatch {
        let padded = PaddedBatch(items.map(\.inputIds), padId: padId)
        let shape = [padded.rows, padded.columns]
        let input = ModelInput(inputIds: IndexTensor(padded.inputIds, shape: shape),
                               attentionMask: IndexTensor(padded.attentionMask, shape: shape),
                               tokenTypeIds: IndexTensor(padded.aligned(items.map(\.tokenTypeIds), padding: 0), shape: shape))
        guard labelled else { return TrainingBatch(input: input, labels: .classes(IndexTensor([Int32](repeating: -100, count: items.count), shape: [items.count]))) }
        if task.isRegression {
            let y = try items.map { f -> Float in
                guard let s = f.label?.score else { throw ModelError.input("a training example has no score") }
                return Float(s)
            }
            return TrainingBatch(input: input, labels: .values(Tensor(y, shape: [items.count])))
        }
        let y = try items.map { f -> Int32 in
            guard let c = f.label?.classIndex else { throw ModelError.input("a training example has no label") }
            return Int32(c)
        }
        return TrainingBatch(input: input, labels: .classes(IndexTensor(y, shape: [items.count])))
    }

    /// Predictions in input order, computed over length-sorted batches padded with `padId`.
    func predict(_ model: DeBERTaModel, _ features: [GLUEFeature], padId: Int32, batchSize: Int) throws -> [LabelValue] {
        let order = GLUEBatching.lengthSortedOrder(features.map(\.inputIds))
        var sorted: [LabelValue] = []
        sorted.reserveCapacity(features.count)
        for rows in try GLUEBatching.batches(order, batchSize: batchSize) {
            let batch = try makeBatch(rows.map { features[$0] }, padId: padId, labelled: false)
            guard let logits = try model(batch.input).logits else { throw ModelError.input("the model has no classification head") }
            if task.isRegression {
                sorted += logits.scalars.map { .score(Double($0)) }
            } else {
                let n = task.numLabels
                let values = logits.scalars
                for r in 0..<rows.count {
                    let row = values[(r * n)..<((r + 1) * n)]
                    sorted.append(.classIndex(row.indices.max { row[$0] < row[$1] }! - r * n))
                }
            }
        }
        return try GLUEBatching.restoreInputOrder(sorted, order: order)
    }
}

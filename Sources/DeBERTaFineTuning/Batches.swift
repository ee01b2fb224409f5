import DeBERTaGLUE
import DeBERTaModeling
import DeBERTaTensors
import DeBERTaTokenizers
import DeBERTaTraining

/// Batches of features and predictions over them, the same for every task.
extension FineTuningRun {
    /// The model input of `items`: ids padded with `padId` (the tokenizer's `[PAD]`) to the longest,
    /// token types with 0; and the padding, for the task's targets.
    func makeInput(_ items: [Task.Feature], padId: Int32) -> (ModelInput, PaddedBatch) {
        let padded = PaddedBatch(items.map(\.inputIds), padId: padId)
        let shape = [padded.rows, padded.columns]
        let input = ModelInput(inputIds: IndexTensor(padded.inputIds, shape: shape),
                               attentionMask: IndexTensor(padded.attentionMask, shape: shape),
                               tokenTypeIds: IndexTensor(padded.aligned(items.map(\.tokenTypeIds), padding: 0), shape: shape))
        return (input, padded)
    }

    /// `items` as one training batch: their input and the task's targets for the loss.
    func makeBatch(_ items: [Task.Feature], padId: Int32) throws -> TrainingBatch {
        let (input, padded) = makeInput(items, padId: padId)
        return TrainingBatch(input: input, labels: try task.lossLabels(for: items, batch: padded))
    }

    /// The task's output for each feature, in input order, computed over length-sorted batches
    /// padded with `padId` (tight padding; the order is restored afterwards).
    func predict(_ model: DeBERTaModel, _ features: [Task.Feature], padId: Int32, batchSize: Int) throws -> [Task.FeatureOutput] {
        let order = GLUEBatching.lengthSortedOrder(features.map(\.inputIds))
        var sorted: [Task.FeatureOutput] = []
        sorted.reserveCapacity(features.count)
        for rows in try GLUEBatching.batches(order, batchSize: batchSize) {
            let items = rows.map { features[$0] }
            guard let logits = try model(makeInput(items, padId: padId).0).logits else {
                throw ModelError.input("the model's \(model.head) head gives no logits")
            }
            let outputs = try task.outputs(logits: logits, features: items)
            guard outputs.count == items.count else {
                throw ModelError.input("\(task.displayName): \(outputs.count) outputs for \(items.count) features")
            }
            sorted += outputs
        }
        return try GLUEBatching.restoreInputOrder(sorted, order: order)
    }
}

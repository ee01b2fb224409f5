import DeBERTaModeling
import Foundation
import DeBERTaTensors
import DeBERTaTraining

extension PretrainingTrainer {
    /// Evaluates on `data` in batches of `batchSize` without dropout (PRETRAINING.md §3–§4):
    /// masked-token accuracy and perplexity (`exp` of the mean of the batch losses, as the original)
    /// of the MLM model / generator; for RTD also the discriminator's accuracy over real tokens and
    /// precision, recall and F1 of the "replaced" class, with replacements sampled from the generator
    /// by a sampler of fixed seed (the same draws at every evaluation).
    public func evaluate(_ data: PretrainingDataset, batchSize: Int, step: Int, limit: Int? = nil) throws -> EvaluationRecord {
        let count = min(data.size, limit ?? data.size)
        let evalSampler = ReplacementSampler(seed: 0xE7A1)
        let context = ForwardContext(mode: .inference)
        var correct = 0, masked = 0, batchLosses: [Double] = []
        var tp = 0, fp = 0, fn = 0, tn = 0, discriminatorLosses: [Double] = [], replacedTotal = 0
        for start in stride(from: 0, to: count, by: max(batchSize, 1)) {
            let batch = try data.batch(Array(start..<min(start + batchSize, count)))
            let positions = batch.maskedPositions
            var discriminatorBatch = batch
            if !positions.isEmpty {
                let targets = batch.targets
                let logits = try generator.maskedLMLogits(batch.input, at: positions, context: context)
                batchLosses.append(Double(crossEntropy(logits, labels: IndexTensor(targets, shape: [positions.count])).item))
                let v = logits.dim(-1)
                for r in 0..<positions.count {
                    let row = logits.data + r * v
                    var best = 0
                    for c in 1..<v where row[c] > row[best] { best = c }
                    if Int32(best) == targets[r] { correct += 1 }
                }
                masked += positions.count
                if task == .rtd {
                    let w = batch.width
                    let samples = evalSampler.sample(logits: logits, keys: positions.map { (batch.sampleIndices[$0 / w], $0 % w) })
                    var ids = batch.input.inputIds.values
                    for (k, p) in positions.enumerated() { ids[p] = samples[k] }
                    discriminatorBatch = batch.replacingInputIds(ids)
                }
            }
            if task == .rtd {
                let out = try replacedTokenLoss(discriminatorBatch, context: context)
                discriminatorLosses.append(Double(out.loss.item))
                replacedTotal += out.replaced
                let (targets, _) = Self.replacedTargets(discriminatorBatch)
                let mask = discriminatorBatch.input.attentionMask!.values
                for i in 0..<mask.count where mask[i] != 0 {
                    let predicted = out.logits.data[i] > 0, actual = targets.data[i] > 0.5
                    switch (predicted, actual) {
                    case (true, true): tp += 1
                    case (true, false): fp += 1
                    case (false, true): fn += 1
                    case (false, false): tn += 1
                    }
                }
            }
        }
        let meanLoss = batchLosses.isEmpty ? 0 : batchLosses.reduce(0, +) / Double(batchLosses.count)
        var lm: [String: Double] = [
            "accuracy": masked > 0 ? Double(correct) / Double(masked) : 0,
            "eval_loss": meanLoss,
            "perplexity": Foundation.exp(meanLoss),
            "masked_tokens": Double(masked),
        ]
        if task == .rtd {
            lm = Dictionary(uniqueKeysWithValues: lm.map { ("generator_" + $0.key, $0.value) })
            let real = tp + fp + fn + tn
            let precision = tp + fp > 0 ? Double(tp) / Double(tp + fp) : 0
            let recall = tp + fn > 0 ? Double(tp) / Double(tp + fn) : 0
            lm["discriminator_accuracy"] = real > 0 ? Double(tp + tn) / Double(real) : 0
            lm["discriminator_precision"] = precision
            lm["discriminator_recall"] = recall
            lm["discriminator_f1"] = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            lm["discriminator_eval_loss"] = discriminatorLosses.isEmpty ? 0 : discriminatorLosses.reduce(0, +) / Double(discriminatorLosses.count)
            lm["replaced_fraction"] = real > 0 ? Double(replacedTotal) / Double(real) : 0
        }
        lm["examples"] = Double(count)
        return EvaluationRecord(step: step, split: "valid", metrics: lm)
    }
}

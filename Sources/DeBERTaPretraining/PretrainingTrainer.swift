import DeBERTaModeling
import Foundation
import DeBERTaTensors
import DeBERTaTraining

/// What one pretraining step reports.
public struct PretrainingStepResult: Sendable {
    /// `L_G` (MLM), or `L_G + λ·L_RTD` (RTD).
    public var loss: Float
    /// The generator's (or MLM model's) mean masked-token cross-entropy.
    public var generatorLoss: Float
    /// The discriminator's mean BCE over real tokens (RTD), before the λ weight.
    public var discriminatorLoss: Float?
    public var learningRate: Double
    public var discriminatorLearningRate: Double?
    /// Global gradient norms before clipping (generator / discriminator; one joint norm in joint mode).
    public var gradientNorm: Double
    public var discriminatorGradientNorm: Double?
    /// Attempts skipped because of fp16 overflow.
    public var skipped: Int
    /// Masked positions and, for RTD, positions whose sampled token differs from the original.
    public var maskedTokens: Int
    public var replacedTokens: Int?
}

/// One pretraining update at a time, as the original `MLMTask` / `RTDTask` do it (PRETRAINING.md
/// §3–§4): MLM loss over the masked positions through the Enhanced Mask Decoder; for RTD, a generator
/// step on `L_G`, replacements sampled from its logits, then a discriminator step on `λ·L_RTD` with
/// GDES embeddings — or, with `decoupled = false`, one joint step on `L_G + λ·L_RTD`.
public final class PretrainingTrainer {
    public let task: PretrainingTask
    /// The MLM model (`--task mlm`) or the RTD generator.
    public let generator: DeBERTaModel
    public let discriminator: DeBERTaModel?
    public let sharing: GradientDisentangledSharing?
    public let generatorGroup: OptimizerGroup
    public let discriminatorGroup: OptimizerGroup?
    /// `--rtd_lambda`.
    public let rtdLambda: Float
    /// `--decoupled_training`.
    public let decoupled: Bool
    public let sampler: ReplacementSampler

    /// MLM pretraining of `model` (a `.maskedLM` model).
    public init(mlm model: DeBERTaModel, options: TrainingOptions) throws {
        guard model.head == .maskedLM else { throw PretrainingError.invalidOption("MLM pretraining needs a masked-LM model") }
        task = .mlm
        generator = model
        discriminator = nil
        sharing = nil
        generatorGroup = OptimizerGroup(name: "model", parameters: model.parameters, options: options, dropoutSeed: options.seed)
        discriminatorGroup = nil
        rtdLambda = 0
        decoupled = true
        sampler = ReplacementSampler(seed: options.seed)
    }

    /// RTD pretraining: `generator` (`.maskedLM`) and `discriminator` (`.replacedTokenDetection`)
    /// linked by GDES. `discriminatorOptions` differ from `options` by the learning rate only.
    public init(generator: DeBERTaModel, discriminator: DeBERTaModel, sharing: GradientDisentangledSharing,
                options: TrainingOptions, discriminatorOptions: TrainingOptions, rtdLambda: Float, decoupled: Bool) throws {
        guard generator.head == .maskedLM else { throw PretrainingError.invalidOption("the RTD generator needs a masked-LM head") }
        guard discriminator.head == .replacedTokenDetection else { throw PretrainingError.invalidOption("the RTD discriminator needs the replaced-token head") }
        task = .rtd
        self.generator = generator
        self.discriminator = discriminator
        self.sharing = sharing
        generatorGroup = OptimizerGroup(name: "generator", parameters: generator.parameters, options: options, dropoutSeed: options.seed)
        discriminatorGroup = OptimizerGroup(name: "discriminator", parameters: sharing.discriminatorParameters,
                                            options: decoupled ? discriminatorOptions : options, dropoutSeed: options.seed &+ 1)
        self.rtdLambda = rtdLambda
        self.decoupled = decoupled
        sampler = ReplacementSampler(seed: options.seed)
    }

    /// Optimizer updates done so far.
    public var step: Int { generatorGroup.step }

    /// All optimizer groups (one for MLM, two for RTD).
    public var groups: [OptimizerGroup] { [generatorGroup] + (discriminatorGroup.map { [$0] } ?? []) }

    /// Runs one update on `batch` (split into `accumulativeUpdate` chunks).
    public func train(_ batch: PretrainingBatch) throws -> PretrainingStepResult {
        let chunks = batch.chunks(max(generatorGroup.options.accumulativeUpdate, 1))
        switch task {
        case .mlm:
            let g = try generatorStep(chunks, sample: false)
            return PretrainingStepResult(loss: g.loss, generatorLoss: g.loss, discriminatorLoss: nil, learningRate: g.learningRate,
                                         discriminatorLearningRate: nil, gradientNorm: g.norm, discriminatorGradientNorm: nil,
                                         skipped: g.skipped, maskedTokens: g.masked, replacedTokens: nil)
        case .rtd where decoupled:
            let g = try generatorStep(chunks, sample: true)
            let d = try discriminatorStep(g.discriminatorChunks)
            return PretrainingStepResult(loss: g.loss + rtdLambda * d.loss, generatorLoss: g.loss, discriminatorLoss: d.loss,
                                         learningRate: g.learningRate, discriminatorLearningRate: d.learningRate, gradientNorm: g.norm,
                                         discriminatorGradientNorm: d.norm, skipped: g.skipped + d.skipped, maskedTokens: g.masked,
                                         replacedTokens: d.replaced)
        case .rtd:
            return try jointStep(chunks)
        }
    }

    // MARK: Forward pieces

    /// The masked-LM loss of a chunk and its logits at the masked positions (nil when none).
    func maskedLM(_ chunk: PretrainingBatch, context: ForwardContext) throws -> (loss: Tensor, logits: Tensor, positions: [Int])? {
        let positions = chunk.maskedPositions
        guard !positions.isEmpty else { return nil }
        let logits = try generator.maskedLMLogits(chunk.input, at: positions, context: context)
        return (crossEntropy(logits, labels: IndexTensor(chunk.targets, shape: [positions.count])), logits, positions)
    }

    /// The discriminator's input: the chunk with sampled tokens at the masked positions.
    func replaced(_ chunk: PretrainingBatch, logits: Tensor, positions: [Int]) -> PretrainingBatch {
        let w = chunk.width
        let samples = sampler.sample(logits: logits.detached(), keys: positions.map { (chunk.sampleIndices[$0 / w], $0 % w) })
        var ids = chunk.input.inputIds.values
        for (k, p) in positions.enumerated() { ids[p] = samples[k] }
        return chunk.replacingInputIds(ids)
    }

    /// RTD targets `[B, W]`: 1 where a position was masked and its token now differs from the label.
    static func replacedTargets(_ chunk: PretrainingBatch) -> (targets: Tensor, replaced: Int) {
        let ids = chunk.input.inputIds.values
        var y = [Float](repeating: 0, count: ids.count)
        var replaced = 0
        for i in 0..<ids.count where chunk.labels[i] > 0 && ids[i] != chunk.labels[i] {
            y[i] = 1
            replaced += 1
        }
        return (Tensor(y, shape: chunk.input.inputIds.shape), replaced)
    }

    /// The discriminator's mean BCE over real tokens.
    func replacedTokenLoss(_ chunk: PretrainingBatch, context: ForwardContext) throws -> (loss: Tensor, logits: Tensor, replaced: Int) {
        guard let discriminator else { throw PretrainingError.invalidOption("no discriminator") }
        let (targets, replaced) = Self.replacedTargets(chunk)
        let out = try discriminator(chunk.input, labels: .values(targets), context: context)
        guard let loss = out.loss, let logits = out.logits else { throw PretrainingError.invalidOption("the discriminator produced no loss") }
        return (loss, logits, replaced)
    }

    // MARK: Steps

    struct GeneratorOutcome {
        var loss: Float, learningRate: Double, norm: Double, skipped: Int, masked: Int
        var discriminatorChunks: [PretrainingBatch]
    }

    func generatorStep(_ chunks: [PretrainingBatch], sample: Bool) throws -> GeneratorOutcome {
        let g = generatorGroup
        var skipped = 0
        while true {
            g.zeroGrad()
            let factor = g.lossFactor, share = 1 / Float(chunks.count)
            var total: Float = 0, masked = 0
            var next: [PretrainingBatch] = []
            for chunk in chunks {
                let context = g.context()
                let out = try maskedLM(chunk, context: context)
                g.finish(context)
                guard let out else {
                    next.append(chunk)
                    continue
                }
                total += out.loss.item * share
                masked += out.positions.count
                (out.loss * (share * factor)).backward()
                if sample { next.append(replaced(chunk, logits: out.logits, positions: out.positions)) }
            }
            guard let (lr, norm) = try g.update(loss: total, factor: factor) else { skipped += 1; continue }
            return GeneratorOutcome(loss: total, learningRate: lr, norm: norm, skipped: skipped, masked: masked, discriminatorChunks: next)
        }
    }

    func discriminatorStep(_ chunks: [PretrainingBatch]) throws -> (loss: Float, learningRate: Double, norm: Double, skipped: Int, replaced: Int) {
        guard let d = discriminatorGroup else { throw PretrainingError.invalidOption("no discriminator") }
        var skipped = 0
        while true {
            d.zeroGrad()
            let factor = d.lossFactor, share = 1 / Float(chunks.count)
            var total: Float = 0, replaced = 0
            for chunk in chunks {
                let context = d.context()
                let out = try replacedTokenLoss(chunk, context: context)
                d.finish(context)
                total += out.loss.item * share
                replaced += out.replaced
                (out.loss * (rtdLambda * share * factor)).backward()
            }
            guard let (lr, norm) = try d.update(loss: total, factor: factor) else { skipped += 1; continue }
            return (total, lr, norm, skipped, replaced)
        }
    }

    /// `decoupled_training = false`: one backward pass of `L_G + λ·L_RTD`, clipped by the joint norm,
    /// both optimizers stepped with the generator's learning rate and loss scale.
    func jointStep(_ chunks: [PretrainingBatch]) throws -> PretrainingStepResult {
        guard let d = discriminatorGroup else { throw PretrainingError.invalidOption("no discriminator") }
        let g = generatorGroup
        var skipped = 0
        while true {
            g.zeroGrad()
            d.zeroGrad()
            let factor = g.lossFactor, share = 1 / Float(chunks.count)
            var generatorTotal: Float = 0, discriminatorTotal: Float = 0, masked = 0, replacedCount = 0
            for chunk in chunks {
                let gc = g.context()
                let out = try maskedLM(chunk, context: gc)
                g.finish(gc)
                var discriminatorChunk = chunk
                var loss: Tensor? = nil
                if let out {
                    generatorTotal += out.loss.item * share
                    masked += out.positions.count
                    discriminatorChunk = replaced(chunk, logits: out.logits, positions: out.positions)
                    loss = out.loss
                }
                let dc = d.context()
                let rtd = try replacedTokenLoss(discriminatorChunk, context: dc)
                d.finish(dc)
                discriminatorTotal += rtd.loss.item * share
                replacedCount += rtd.replaced
                let weighted = rtd.loss * rtdLambda
                ((loss.map { $0 + weighted } ?? weighted) * (share * factor)).backward()
            }
            let gradients = g.gradients + d.gradients
            let norm = globalNorm(gradients)
            if !norm.isFinite {
                if try g.overflow(loss: generatorTotal + rtdLambda * discriminatorTotal) { skipped += 1; continue }
            }
            let (scale, unscaled) = g.gradientScale(scaledNorm: norm, factor: factor)
            let lr = g.learningRate
            d.optimizer.step(d.parameters, gradients: Array(gradients[g.parameters.count...]), learningRate: Float(lr), gradientScale: Float(scale))
            d.step += 1
            d.zeroGrad()
            g.apply(gradients: Array(gradients[..<g.parameters.count]), gradientScale: scale)
            return PretrainingStepResult(loss: generatorTotal + rtdLambda * discriminatorTotal, generatorLoss: generatorTotal,
                                         discriminatorLoss: discriminatorTotal, learningRate: lr, discriminatorLearningRate: lr,
                                         gradientNorm: unscaled, discriminatorGradientNorm: nil, skipped: skipped,
                                         maskedTokens: masked, replacedTokens: replacedCount)
        }
    }
}

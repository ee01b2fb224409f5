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
    /// Attempts skipped because the loss-scaled gradients overflowed.
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

    /// A generator chunk: its loss (nil without masked positions), masked positions, and the
    /// discriminator's input made from it.
    struct GeneratorChunk {
        var loss: Float?
        var masked: Int
        var next: PretrainingBatch
    }

    struct GeneratorOutcome {
        var loss: Float, learningRate: Double, norm: Double, skipped: Int, masked: Int
        var discriminatorChunks: [PretrainingBatch]
    }

    func generatorStep(_ chunks: [PretrainingBatch], sample: Bool) throws -> GeneratorOutcome {
        let g = generatorGroup
        let update = try g.update(over: chunks) { chunk, pass -> GeneratorChunk in
            guard let out = try g.forward({ try maskedLM(chunk, context: $0) }) else { return GeneratorChunk(loss: nil, masked: 0, next: chunk) }
            let loss = pass.backward(out.loss)
            return GeneratorChunk(loss: loss, masked: out.positions.count,
                                  next: sample ? replaced(chunk, logits: out.logits, positions: out.positions) : chunk)
        }
        return GeneratorOutcome(loss: update.accumulated(\.loss), learningRate: update.learningRate, norm: update.gradientNorm,
                                skipped: update.skipped, masked: update.outputs.reduce(0) { $0 + $1.masked },
                                discriminatorChunks: update.outputs.map(\.next))
    }

    func discriminatorStep(_ chunks: [PretrainingBatch]) throws -> (loss: Float, learningRate: Double, norm: Double, skipped: Int, replaced: Int) {
        guard let d = discriminatorGroup else { throw PretrainingError.invalidOption("no discriminator") }
        let update = try d.update(over: chunks) { chunk, pass -> (loss: Float, replaced: Int) in
            let out = try d.forward { try replacedTokenLoss(chunk, context: $0) }
            return (pass.backward(out.loss, weight: rtdLambda), out.replaced)
        }
        return (update.accumulated(\.loss), update.learningRate, update.gradientNorm, update.skipped, update.outputs.reduce(0) { $0 + $1.replaced })
    }

    /// A joint chunk: the generator's loss (nil without masked positions) and the discriminator's.
    struct JointChunk {
        var generatorLoss: Float?
        var discriminatorLoss: Float
        var masked: Int
        var replaced: Int
    }

    /// `decoupled_training = false`: one backward pass of `L_G + λ·L_RTD`, clipped by the joint norm,
    /// both optimizers stepped with the generator's learning rate and loss scale.
    func jointStep(_ chunks: [PretrainingBatch]) throws -> PretrainingStepResult {
        guard let d = discriminatorGroup else { throw PretrainingError.invalidOption("no discriminator") }
        let g = generatorGroup
        let update = try g.update(over: chunks, with: [d]) { chunk, pass -> JointChunk in
            let out = try g.forward { try maskedLM(chunk, context: $0) }
            let discriminatorChunk = out.map { replaced(chunk, logits: $0.logits, positions: $0.positions) } ?? chunk
            let rtd = try d.forward { try replacedTokenLoss(discriminatorChunk, context: $0) }
            let weighted = rtd.loss * rtdLambda
            let generatorLoss = out?.loss.item, discriminatorLoss = rtd.loss.item
            pass.backward(out.map { $0.loss + weighted } ?? weighted)
            return JointChunk(generatorLoss: generatorLoss, discriminatorLoss: discriminatorLoss,
                              masked: out?.positions.count ?? 0, replaced: rtd.replaced)
        }
        let generatorTotal = update.accumulated(\.generatorLoss), discriminatorTotal = update.accumulated(\.discriminatorLoss)
        return PretrainingStepResult(loss: generatorTotal + rtdLambda * discriminatorTotal, generatorLoss: generatorTotal,
                                     discriminatorLoss: discriminatorTotal, learningRate: update.learningRate,
                                     discriminatorLearningRate: update.learningRate, gradientNorm: update.gradientNorm,
                                     discriminatorGradientNorm: nil, skipped: update.skipped,
                                     maskedTokens: update.outputs.reduce(0) { $0 + $1.masked },
                                     replacedTokens: update.outputs.reduce(0) { $0 + $1.replaced })
    }
}

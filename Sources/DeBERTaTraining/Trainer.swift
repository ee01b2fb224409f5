import DeBERTaModeling
import Foundation
import DeBERTaTensors

/// Settings of a fine-tuning run that the optimizer step depends on (the original app's flags).
public struct TrainingOptions: Codable, Sendable {
    public var learningRate: Double = 2e-5
    /// `--warmup`: fraction of the steps (< 1) or a number of steps.
    public var warmup: Double = 0.1
    public var schedule: LearningRateSchedule = .warmupLinear
    public var totalSteps: Int = 0
    /// `--accumulative_update`: the batch is split into this many chunks, one optimizer step.
    public var accumulativeUpdate: Int = 1
    /// Global-norm clipping threshold; ≤ 0 disables it.
    public var maxGradNorm: Double = 1
    public var adam = AdamConfiguration()
    /// `--fp16`: mixed precision: the linear layers' matrix products in bfloat16 with float32
    /// accumulation (the precision of ``Trainer/train(_:)``'s forward contexts; needs oneDNN),
    /// float32 master weights, gradients, attention scores, softmax and LayerNorm, and dynamic loss scaling.
    public var fp16 = false
    public var lossScale: Float = 16384
    public var scaleSteps: Int = 250
    public var seed: UInt64 = 1234

    public init() {}
}

/// What a training step reports.
public struct StepResult: Sendable {
    /// The batch's mean loss (unscaled).
    public var loss: Float
    public var learningRate: Double
    /// Global gradient norm before clipping.
    public var gradientNorm: Double
    /// Attempts skipped because of non-finite gradients (fp16 loss scaling).
    public var skipped: Int

    public init(loss: Float, learningRate: Double, gradientNorm: Double, skipped: Int) {
        self.loss = loss
        self.learningRate = learningRate
        self.gradientNorm = gradientNorm
        self.skipped = skipped
    }
}

/// One optimizer update at a time, as the original trainer does it: accumulate the loss over
/// `accumulativeUpdate` chunks, check for overflow, clip to `maxGradNorm`, step, advance the schedule.
public final class Trainer {
    public let model: DeBERTaModel
    public let optimizer: AdamOptimizer
    public var options: TrainingOptions
    /// Optimizer updates done so far.
    public internal(set) var step = 0
    public internal(set) var scaler: DynamicLossScaler
    /// Dropout randomness; its counter is part of a checkpoint.
    public internal(set) var random: RandomStream

    public init(model: DeBERTaModel, options: TrainingOptions) {
        self.model = model
        self.options = options
        optimizer = AdamOptimizer(options.adam)
        scaler = DynamicLossScaler(initialScale: options.fp16 ? options.lossScale : 1, scaleSteps: options.scaleSteps)
        random = RandomStream(seed: options.seed)
        model.setRequiresGrad(true)
    }

    /// The learning rate of the next update.
    public var currentLearningRate: Double {
        let warmup = LearningRateSchedule.warmupFraction(options.warmup, totalSteps: options.totalSteps)
        return options.learningRate * options.schedule.multiplier(step: step, total: options.totalSteps, warmup: warmup)
    }

    /// Runs one optimizer update on `batch` (retrying with a smaller loss scale on overflow).
    /// With ``TrainingOptions/fp16`` the forward and backward passes run with bf16 matrix products;
    /// throws ``OneDNNError/unavailable(_:)`` when oneDNN cannot be opened.
    public func train(_ batch: TrainingBatch) throws -> StepResult {
        if options.fp16 { try MatmulPrecision.bf16.checkAvailable() }
        return try update(batch)
    }

    private func update(_ batch: TrainingBatch) throws -> StepResult {
        var skipped = 0
        while true {
            let chunks = batch.chunks(max(options.accumulativeUpdate, 1))
            for p in model.parameters { p.value.node?.zeroGrad() }
            var total: Float = 0
            var factor: Float = 1
            for chunk in chunks {
                let context = ForwardContext(mode: .training, precision: options.fp16 ? .bf16 : .fp32)
                context.random = random
                let out = try model(chunk.input, labels: chunk.labels, context: context)
                random = context.random
                guard let loss = out.loss else { throw ModelError.input("the model's head produced no loss for these labels") }
                let share = 1 / Float(chunks.count)  // the original divides each chunk's loss by N
                total += loss.item * share
                factor = options.fp16 ? scaler.factor(forLoss: loss.item) : 1
                (loss * (share * factor)).backward()
            }
            let gradients = model.parameters.map { $0.gradient }
            let norm = globalNorm(gradients)
            if !norm.isFinite {
                if options.fp16 && scaler.scale > 1 {
                    scaler.update(gradientsFinite: false)
                    skipped += 1
                    continue
                }
                throw ModelError.input("non-finite gradient norm at step \(step) (loss \(total))")
            }
            let unscaledNorm = norm / Double(factor)
            var gradScale = Double(factor)
            if options.maxGradNorm > 0 && unscaledNorm > options.maxGradNorm { gradScale *= unscaledNorm / options.maxGradNorm }
            let lr = currentLearningRate
            optimizer.step(model.parameters, gradients: gradients, learningRate: Float(lr), gradientScale: Float(gradScale))
            if options.fp16 { scaler.update(gradientsFinite: true) }
            step += 1
            for p in model.parameters { p.value.node?.zeroGrad() }
            return StepResult(loss: total, learningRate: lr, gradientNorm: unscaledNorm, skipped: skipped)
        }
    }
}

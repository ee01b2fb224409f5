import DeBERTaModeling
import Foundation
import DeBERTaTensors
import DeBERTaTraining

/// The parameters one optimizer updates (a generator, a discriminator with its GDES residuals, or
/// an MLM model) with the state an exact resume needs: Adam moments, update count, loss scaler and
/// the dropout random stream of the model's forward passes.
public final class OptimizerGroup {
    /// `generator`, `discriminator` or `model` (names the checkpoint files).
    public let name: String
    public let parameters: [Parameter]
    public let optimizer: AdamOptimizer
    /// Learning rate, schedule, clipping, loss scaling of this group.
    public let options: TrainingOptions
    /// Optimizer updates done so far.
    public internal(set) var step = 0
    public internal(set) var scaler: DynamicLossScaler
    /// Dropout randomness of this group's model.
    public internal(set) var random: RandomStream

    public init(name: String, parameters: [Parameter], options: TrainingOptions, dropoutSeed: UInt64) {
        self.name = name
        self.parameters = parameters
        self.options = options
        optimizer = AdamOptimizer(options.adam)
        scaler = DynamicLossScaler(initialScale: options.fp16 ? options.lossScale : 1, scaleSteps: options.scaleSteps)
        random = RandomStream(seed: dropoutSeed)
        parameters.forEach { $0.setRequiresGrad(true) }
    }

    /// The learning rate of the next update (the schedule of `options` at `step`).
    public var learningRate: Double {
        let warmup = LearningRateSchedule.warmupFraction(options.warmup, totalSteps: options.totalSteps)
        return options.learningRate * options.schedule.multiplier(step: step, total: options.totalSteps, warmup: warmup)
    }

    /// The loss multiplier of the next backward pass (the loss scale with `--fp16`, else 1).
    var lossFactor: Float { options.fp16 ? scaler.scale : 1 }

    func zeroGrad() { for p in parameters { p.value.node?.zeroGrad() } }

    var gradients: [Gradient?] { parameters.map(\.gradient) }

    /// A training-mode forward context drawing dropout masks from this group's stream; call
    /// ``finish(_:)`` after the forward pass to keep the stream's position.
    func context() -> ForwardContext {
        let c = ForwardContext(mode: .training)
        c.random = random
        return c
    }

    func finish(_ context: ForwardContext) { random = context.random }

    /// Handles a non-finite gradient norm: with loss scaling above 1 the scale halves and the
    /// caller retries (returns true); otherwise it is an error.
    func overflow(loss: Float) throws -> Bool {
        if options.fp16 && scaler.scale > 1 {
            scaler.update(gradientsFinite: false)
            return true
        }
        throw PretrainingError.invalidOption("\(name): non-finite gradient norm at step \(step) (loss \(loss)); lower the learning rate or use --fp16 loss scaling")
    }

    /// Applies one update with gradients that carry `factor` (the loss scale) and the given clipping
    /// scale; advances the step and the scaler. Returns the learning rate used.
    @discardableResult
    func apply(gradients: [Gradient?], gradientScale: Double) -> Double {
        let lr = learningRate
        optimizer.step(parameters, gradients: gradients, learningRate: Float(lr), gradientScale: Float(gradientScale))
        if options.fp16 { scaler.update(gradientsFinite: true) }
        step += 1
        zeroGrad()
        return lr
    }

    /// Finishes an update from the accumulated gradients (scaled by `factor`): clips and steps, or,
    /// on an fp16 overflow, halves the loss scale and returns nil so that the caller retries.
    func update(loss: Float, factor: Float) throws -> (learningRate: Double, norm: Double)? {
        let gradients = self.gradients
        let norm = globalNorm(gradients)
        if !norm.isFinite, try overflow(loss: loss) { return nil }
        let (scale, unscaled) = gradientScale(scaledNorm: norm, factor: factor)
        return (apply(gradients: gradients, gradientScale: scale), unscaled)
    }

    /// The clipping-aware gradient scale: `factor`, times `norm / maxGradNorm` when the unscaled
    /// norm exceeds the threshold.
    func gradientScale(scaledNorm: Double, factor: Float) -> (scale: Double, unscaledNorm: Double) {
        let unscaled = scaledNorm / Double(factor)
        var scale = Double(factor)
        if options.maxGradNorm > 0 && unscaled > options.maxGradNorm { scale *= unscaled / options.maxGradNorm }
        return (scale, unscaled)
    }

    /// Restores the counters of a checkpoint.
    func restore(step: Int, scaler: DynamicLossScaler, random: RandomStream) {
        self.step = step
        self.scaler = scaler
        self.random = random
    }
}

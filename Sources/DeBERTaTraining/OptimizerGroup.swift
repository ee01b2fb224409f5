import DeBERTaModeling
import DeBERTaTensors

/// The parameters one optimizer updates — a fine-tuned model, a pretraining generator, a
/// discriminator with its GDES residuals — with everything an exact resume needs: Adam moments,
/// update count (the schedule's position), loss scaler and the dropout random stream of the
/// forward passes. ``update(over:with:_:)`` is the one optimizer step of every run.
public final class OptimizerGroup {
    /// `model`, `generator` or `discriminator`: names the group in messages and checkpoints.
    public let name: String
    public let parameters: [Parameter]
    public let optimizer: AdamOptimizer
    /// Learning rate, schedule, clipping, precision and loss scaling of this group.
    public let options: TrainingOptions
    /// Optimizer updates done so far.
    public internal(set) var step = 0
    public internal(set) var scaler: DynamicLossScaler
    /// Dropout randomness of this group's forward passes.
    public internal(set) var random: RandomStream

    /// A group over `parameters`, which are switched to requiring gradients.
    public init(name: String, parameters: [Parameter], options: TrainingOptions, dropoutSeed: UInt64) {
        self.name = name
        self.parameters = parameters
        self.options = options
        optimizer = AdamOptimizer(options.adam)
        scaler = DynamicLossScaler(initialScale: options.dynamicLossScaling ? options.lossScale : 1, scaleSteps: options.scaleSteps)
        random = RandomStream(seed: dropoutSeed)
        parameters.forEach { $0.setRequiresGrad(true) }
    }

    /// The learning rate of the next update (the schedule of `options` at `step`).
    public var learningRate: Double { options.learningRate(atStep: step) }

    /// Runs `body` with a training-mode context whose dropout masks come from this group's stream,
    /// and keeps the stream's position for the next pass.
    public func forward<Result>(_ body: (ForwardContext) throws -> Result) rethrows -> Result {
        let context = ForwardContext(mode: .training, precision: options.bf16MatrixProducts ? .bf16 : .fp32)
        context.random = random
        let result = try body(context)
        random = context.random
        return result
    }

    func zeroGradients() { for p in parameters { p.value.node?.zeroGrad() } }

    var gradients: [Gradient?] { parameters.map(\.gradient) }
}

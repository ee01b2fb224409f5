import DeBERTaModeling
import DeBERTaTensors

/// What a training step reports.
public struct StepResult: Sendable, Equatable {
    /// The batch's mean loss (unscaled).
    public var loss: Float
    public var learningRate: Double
    /// Global gradient norm before clipping.
    public var gradientNorm: Double
    /// Attempts skipped because of non-finite gradients (loss scaling).
    public var skipped: Int

    public init(loss: Float, learningRate: Double, gradientNorm: Double, skipped: Int) {
        self.loss = loss
        self.learningRate = learningRate
        self.gradientNorm = gradientNorm
        self.skipped = skipped
    }
}

/// Trains one model on labelled batches (any head whose labels give a loss): one
/// ``OptimizerGroup`` over all its parameters, a chunk's loss the model's own.
public final class Trainer {
    public let model: DeBERTaModel
    /// The model's parameters with Adam, schedule, loss scaler and dropout stream.
    public let group: OptimizerGroup

    public init(model: DeBERTaModel, options: TrainingOptions) {
        self.model = model
        group = OptimizerGroup(name: "model", parameters: model.parameters, options: options, dropoutSeed: options.seed)
    }

    public var options: TrainingOptions { group.options }
    public var optimizer: AdamOptimizer { group.optimizer }
    /// Optimizer updates done so far.
    public var step: Int { group.step }
    public var scaler: DynamicLossScaler { group.scaler }
    /// Dropout randomness; its counter is part of a checkpoint.
    public var random: RandomStream { group.random }
    /// The learning rate of the next update.
    public var currentLearningRate: Double { group.learningRate }

    /// Runs one optimizer update on `batch`, split into `accumulativeUpdate` chunks (see
    /// ``OptimizerGroup/update(over:with:_:)``).
    public func train(_ batch: TrainingBatch) throws -> StepResult {
        let update = try group.update(over: batch.chunks(max(options.accumulativeUpdate, 1))) { chunk, pass -> Float in
            let out = try group.forward { try model(chunk.input, labels: chunk.labels, context: $0) }
            guard let loss = out.loss else { throw ModelError.input("the model's head produced no loss for these labels") }
            return pass.backward(loss)
        }
        return StepResult(loss: update.accumulated { $0 }, learningRate: update.learningRate,
                          gradientNorm: update.gradientNorm, skipped: update.skipped)
    }
}

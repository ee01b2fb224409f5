import DeBERTaModeling
import DeBERTaTensors

/// What ``OptimizerGroup/update(over:with:_:)`` hands the loss closure of each chunk.
public final class ChunkPass {
    /// `1 / chunks`: the original divides each chunk's loss by the number of chunks.
    public let share: Float
    let lossScaling: Bool
    let scaler: DynamicLossScaler
    /// The loss multiplier of the last backward pass, which the update divides out again.
    var factor: Float = 1
    /// `Σ loss · weight · share` of this attempt, for messages.
    var total: Float = 0

    init(share: Float, lossScaling: Bool, scaler: DynamicLossScaler) {
        self.share = share
        self.lossScaling = lossScaling
        self.scaler = scaler
    }

    /// Backpropagates `loss · weight · share · factor`, with `factor` the loss scale (1 without
    /// loss scaling, or when the loss is 0 or not finite). The products are formed in that order,
    /// as the original forms them. Returns the loss's value, read before the backward pass.
    @discardableResult
    public func backward(_ loss: Tensor, weight: Float = 1) -> Float {
        let value = loss.item
        factor = lossScaling ? scaler.factor(forLoss: value) : 1
        total += value * weight * share
        (loss * (weight * share * factor)).backward()
        return value
    }
}

/// What one optimizer update did.
public struct OptimizerUpdate<Output> {
    /// The loss closure's results, one a chunk, of the attempt that was applied.
    public var outputs: [Output]
    /// `1 / chunks`.
    public var share: Float
    public var learningRate: Double
    /// Global gradient norm before clipping, without the loss scale (over all groups updated together).
    public var gradientNorm: Double
    /// Attempts skipped because the scaled gradients overflowed.
    public var skipped: Int

    /// `Σ value(output) · share` over the chunks whose `value` is not nil, in chunk order (a mean
    /// loss of the batch, as the original sums it).
    public func accumulated(_ value: (Output) -> Float?) -> Float {
        outputs.reduce(Float(0)) { total, output in value(output).map { total + $0 * share } ?? total }
    }
}

extension OptimizerGroup {
    /// One optimizer update, as the original trainer does it: zero the gradients; run `loss` on every
    /// chunk (it makes the forward pass and calls ``ChunkPass/backward(_:weight:)``); on a
    /// non-finite gradient norm halve the loss scale and retry the whole batch (or throw without
    /// loss scaling); clip to `maxGradNorm`; step Adam; advance the schedule and the scaler.
    ///
    /// `partners` are stepped from the same backward pass (RTD's joint mode): their gradients join the
    /// global norm and they take this group's learning rate, clipping and loss scale.
    /// With ``TrainingOptions/bf16MatrixProducts`` the passes run with bf16 matrix products; throws
    /// ``OneDNNError/unavailable(_:)`` when oneDNN cannot be opened.
    public func update<Chunk, Output>(over chunks: [Chunk], with partners: [OptimizerGroup] = [],
                                      _ loss: (Chunk, ChunkPass) throws -> Output) throws -> OptimizerUpdate<Output> {
        if options.bf16MatrixProducts { try MatmulPrecision.bf16.checkAvailable() }
        let groups = [self] + partners
        let share = 1 / Float(chunks.count)
        var skipped = 0
        while true {
            for g in groups { g.zeroGradients() }
            let pass = ChunkPass(share: share, lossScaling: options.dynamicLossScaling, scaler: scaler)
            let outputs = try chunks.map { try loss($0, pass) }
            let gradients = groups.map(\.gradients)
            let norm = globalNorm(gradients.flatMap { $0 })
            if !norm.isFinite {
                guard options.dynamicLossScaling && scaler.scale > 1 else {
                    throw TrainingError.nonFiniteGradients(group: name, step: step, loss: pass.total)
                }
                scaler.update(gradientsFinite: false)
                skipped += 1
                continue
            }
            let unscaledNorm = norm / Double(pass.factor)
            var gradientScale = Double(pass.factor)
            if options.maxGradNorm > 0 && unscaledNorm > options.maxGradNorm { gradientScale *= unscaledNorm / options.maxGradNorm }
            let lr = learningRate
            for (g, gradients) in zip(groups, gradients) {
                g.optimizer.step(g.parameters, gradients: gradients, learningRate: Float(lr), gradientScale: Float(gradientScale))
            }
            if options.dynamicLossScaling { scaler.update(gradientsFinite: true) }
            for g in groups {
                g.step += 1
                g.zeroGradients()
            }
            return OptimizerUpdate(outputs: outputs, share: share, learningRate: lr, gradientNorm: unscaledNorm, skipped: skipped)
        }
    }
}

/// The original's dynamic loss scaler (`ExpLossScaler`): the loss is multiplied by `scale` before the
/// backward pass; a step whose gradients are not finite is skipped, the scale halves (down to 1) and
/// the same batch is retried; once more than `scaleSteps` updates have passed since the last change
/// the scale doubles.
public struct DynamicLossScaler: Codable, Sendable, Equatable {
    public private(set) var scale: Float
    public let scaleSteps: Int
    /// Updates seen (valid or not).
    public private(set) var steps: Int = 0
    /// Value of `steps` when the scale last changed.
    public private(set) var lastChange: Int = 0

    public init(initialScale: Float = 16384, scaleSteps: Int = 250) {
        scale = initialScale
        self.scaleSteps = scaleSteps
    }

    /// The factor for this loss: `scale`, or 1 when the loss is 0 or not finite.
    public func factor(forLoss loss: Float) -> Float { loss == 0 || !loss.isFinite ? 1 : scale }

    /// Records the outcome of a step; returns whether the optimizer may apply it.
    @discardableResult
    public mutating func update(gradientsFinite: Bool) -> Bool {
        defer { steps += 1 }
        if !gradientsFinite {
            scale = max(scale / 2, 1)
            lastChange = steps
            return false
        }
        if steps - lastChange > scaleSteps {
            scale *= 2
            lastChange = steps
        }
        return true
    }
}

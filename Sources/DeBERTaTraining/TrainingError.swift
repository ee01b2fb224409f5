/// Errors of the training engine.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The gradients of an update are not finite and loss scaling cannot retry it.
    case nonFiniteGradients(group: String, step: Int, loss: Float)

    public var description: String {
        switch self {
        case let .nonFiniteGradients(group, step, loss):
            return "\(group): non-finite gradient norm at step \(step) (loss \(loss)); lower the learning rate or use loss scaling (--fp16 True)"
        }
    }
}

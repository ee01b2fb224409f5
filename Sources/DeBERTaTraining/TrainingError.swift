import Foundation

/// Errors of the training engine.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The gradients of an update are not finite and loss scaling cannot retry it.
    case nonFiniteGradients(group: String, step: Int, loss: Float)
    /// A signal asked the run to stop (see ``StopRequest``); the checkpoint of update `step` was written.
    case stopped(signal: Int32, step: Int, checkpoint: String)

    public var description: String {
        switch self {
        case let .nonFiniteGradients(group, step, loss):
            return "\(group): non-finite gradient norm at step \(step) (loss \(loss)); lower the learning rate or use loss scaling (--fp16 True)"
        case let .stopped(signal, step, checkpoint):
            return "stopped by \(signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)") after step \(step); \(checkpoint) written, continue with --resume"
        }
    }
}

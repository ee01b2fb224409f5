import Foundation

/// Errors of the high-level inference API (``TextClassifier``, ``FillMask``, batching), each naming
/// the folder or input at fault.
public enum InferenceError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// A model (folder) that cannot do what was asked: wrong head, a tokenizer that does not fit it.
    case unsuitableModel(folder: String, reason: String)
    /// An input the model cannot take: no texts, no `[MASK]` to fill, too many tokens.
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .unsuitableModel(folder, reason): return "\(folder): \(reason)"
        case let .invalidInput(reason): return "invalid input: \(reason)"
        }
    }

    public var errorDescription: String? { description }
}

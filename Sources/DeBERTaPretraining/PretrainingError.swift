/// Errors of data preparation and pretraining, each naming the file or setting at fault.
public enum PretrainingError: Error, CustomStringConvertible, Equatable {
    /// A problem with one file (path, what is wrong).
    case file(String, String)
    /// An invalid setting or combination of settings.
    case invalidOption(String)

    public var description: String {
        switch self {
        case let .file(path, message): return "\(path): \(message)"
        case let .invalidOption(message): return "invalid option: \(message)"
        }
    }
}

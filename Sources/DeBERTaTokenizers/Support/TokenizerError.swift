import Foundation

/// An error raised while loading tokenizer files or validating encode arguments.
///
/// Every case carries enough context to act on: the file (when there is one) and what was wrong
/// with it. `description` renders a one-line message such as
/// `vocab.json: not valid JSON: expected a value (found "}" at byte 14)`.
public enum TokenizerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A file that the tokenizer needs does not exist or cannot be read.
    case fileUnreadable(path: String, reason: String)
    /// A file exists but its content is not what its format requires.
    case malformedFile(path: String, reason: String)
    /// A file is well formed but describes something this package does not implement.
    case unsupported(path: String, reason: String)
    /// A folder does not contain a recognised set of tokenizer files.
    case unrecognizedFolder(path: String, reason: String)
    /// An argument passed to an encode or decode call cannot be honoured.
    case invalidArgument(String)

    /// A one-line, human-readable explanation naming the file and the problem.
    public var description: String {
        switch self {
        case .fileUnreadable(let path, let reason): return "\(path): cannot read file: \(reason)"
        case .malformedFile(let path, let reason): return "\(path): \(reason)"
        case .unsupported(let path, let reason): return "\(path): unsupported: \(reason)"
        case .unrecognizedFolder(let path, let reason): return "\(path): \(reason)"
        case .invalidArgument(let reason): return "invalid argument: \(reason)"
        }
    }
}

extension TokenizerError: LocalizedError {
    /// Same text as ``description``, so `localizedDescription` is informative too.
    public var errorDescription: String? { description }
}

/// Reads a whole file as bytes, turning I/O failures into ``TokenizerError/fileUnreadable(path:reason:)``.
func readFileBytes(_ url: URL) throws -> [UInt8] {
    do {
        let data = try Data(contentsOf: url, options: [.mappedIfSafe])
        return [UInt8](data)
    } catch {
        let reason = FileManager.default.fileExists(atPath: url.path) ? "\(error.localizedDescription)" : "no such file"
        throw TokenizerError.fileUnreadable(path: url.path, reason: reason)
    }
}

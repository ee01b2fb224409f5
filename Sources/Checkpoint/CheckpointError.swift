/// An error raised while reading or writing a checkpoint file.
///
/// Every failure of this module is reported as a `CheckpointError` naming the file and what is wrong
/// with it; malformed input never crashes the process and never yields partially wrong tensors.
public struct CheckpointError: Error, CustomStringConvertible, Sendable {
    /// The file (path or a short label such as `"<memory>"`) the problem was found in.
    public let file: String
    /// What is wrong, in words.
    public let message: String

    /// Creates an error for `file` with the explanation `message`.
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// `"<file>: <message>"`.
    public var description: String { "\(file): \(message)" }
}

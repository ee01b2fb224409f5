/// A file that could not be read or written, or whose content is malformed: the file (a path, or a
/// label such as `"<memory>"`) and what is wrong with it, in words.
public struct FileError: Error, CustomStringConvertible, Sendable {
    /// The file the problem was found in.
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

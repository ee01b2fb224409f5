import Foundation

/// An error raised by the GLUE readers, metrics, writers and batching helpers.
///
/// Every failure of this module is reported as a `GLUEError` that says what went wrong and, where a file
/// is involved, names the file and the 1-based line. Malformed input never crashes the process and never
/// yields silently wrong examples.
public struct GLUEError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of problem, for callers (and tests) that branch on it.
    public enum Kind: String, Sendable, Equatable {
        /// The data file does not exist.
        case fileNotFound
        /// The file exists but could not be read, or a prediction file could not be written.
        case ioFailure
        /// A line is not valid UTF-8.
        case invalidUTF8
        /// A file that must start with a header line is empty.
        case missingHeader
        /// A row (or the header) has a number of tab-separated fields the task's layout does not allow.
        case wrongFieldCount
        /// A label string is not one of the task's labels.
        case unknownLabel
        /// A regression score is not a finite decimal number.
        case invalidScore
        /// A `--task_name` that names no GLUE task.
        case unknownTask
        /// A split the task does not have (e.g. `dev` for MNLI).
        case unknownSplit
        /// A function argument is out of its domain (mismatched lengths, empty input, bad class index…).
        case invalidArgument
    }

    /// The kind of problem.
    public let kind: Kind
    /// The file the problem was found in, if any.
    public let file: String?
    /// The 1-based line of `file` the problem was found on, if any.
    public let line: Int?
    /// What is wrong, in words.
    public let message: String

    /// Creates an error of `kind` with the explanation `message`, optionally located in `file` at `line`.
    public init(_ kind: Kind, file: String? = nil, line: Int? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.message = message
    }

    /// `"<file>:<line>: <message>"`, `"<file>: <message>"` or just the message.
    public var description: String {
        switch (file, line) {
        case let (file?, line?): return "\(file):\(line): \(message)"
        case let (file?, nil): return "\(file): \(message)"
        default: return message
        }
    }
}

extension GLUEError: LocalizedError {
    /// The same text as `description`, so `localizedDescription` names the file and line too.
    public var errorDescription: String? { description }
}

import Foundation

/// A data file of a fine-tuning task that cannot be used: the file, where in it (1-based line and
/// column, where they apply) and what is wrong, in words.
public struct TaskDataError: Error, CustomStringConvertible, LocalizedError, Equatable, Sendable {
    /// The kind of problem, for callers (and tests) that branch on it.
    public enum Kind: String, Sendable, Equatable {
        /// The file does not exist, is a folder or cannot be read.
        case unreadable
        /// A line is not valid UTF-8.
        case invalidUTF8
        /// A line has another number of columns than the file's first token line.
        case wrongColumnCount
        /// A tag that is not one of the task's labels.
        case unknownLabel
        /// The file is not valid JSON, or lacks a field its layout needs, or a value is out of place.
        case malformed
        /// The file holds no examples, or none with the labels its use needs.
        case noExamples
    }

    public let kind: Kind
    public let file: String
    /// The 1-based line, if the problem is on one.
    public let line: Int?
    /// The 1-based column (in characters) on that line, if the problem is at one place in it.
    public let column: Int?
    public let message: String

    public init(_ kind: Kind, file: String, line: Int? = nil, column: Int? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `"<file>:<line>:<column>: <message>"`, leaving out what is unknown.
    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if line != nil, let column { place += ":\(column)" }
        return "\(place): \(message)"
    }

    public var errorDescription: String? { description }
}

import DeBERTaFiles
import Foundation

/// One question of a SQuAD file, with its paragraph.
public struct SQuADExample: Sendable, Equatable {
    /// One gold answer: its text and where it starts in the context, in Unicode scalars (Python
    /// string indices, the file's `answer_start`).
    public struct Answer: Sendable, Equatable {
        public var text: String
        public var start: Int
        public init(text: String, start: Int) { self.text = text; self.start = start }
    }

    public var id: String
    public var title: String
    public var question: String
    public var context: String
    /// The gold answers (empty for a SQuAD 2.0 question without one).
    public var answers: [Answer]
    /// SQuAD 2.0's `is_impossible` (false when the field is absent).
    public var isImpossible: Bool

    public init(id: String, title: String, question: String, context: String, answers: [Answer], isImpossible: Bool = false) {
        self.id = id; self.title = title; self.question = question; self.context = context
        self.answers = answers; self.isImpossible = isImpossible
    }
}

/// Reads the official SQuAD JSON layout (v1.1 and v2.0):
/// `{"version": …, "data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question",
/// "answers": [{"text", "answer_start"}], "is_impossible"?}]}]}]}`.
public enum SQuADFile {
    /// The questions of the file at `url`, in file order.
    /// - Throws: ``TaskDataError`` naming the file and, for bad JSON, the line and column; for a
    ///   missing or mistyped field, its path in the document (`data[3].paragraphs[0].qas[2].id`);
    ///   for an answer that does not lie inside its context, the question's id.
    public static func read(_ url: URL) throws -> [SQuADExample] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TaskDataError(.unreadable, file: url.path, "cannot read: \(error.localizedDescription)")
        }
        return try parse([UInt8](data), file: url.path)
    }

    /// The questions in `bytes` (a SQuAD JSON document); `file` names it in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws -> [SQuADExample] {
        let root: JSONValue
        do { root = try JSONParser.parse(bytes, options: .lenient) } catch let error as JSONParser.SyntaxError {
            let (line, column) = position(of: error.offset, in: bytes)
            throw TaskDataError(.malformed, file: file, line: line, column: column, "invalid JSON: \(error.message)")
        }
        func fail(_ path: String, _ message: String) -> TaskDataError {
            TaskDataError(.malformed, file: file, "\(path): \(message)")
        }
        func field(_ value: JSONValue, _ key: String, _ path: String) throws -> JSONValue {
            guard value.objectMembers != nil else { throw fail(path, "expected an object, found \(value.kindName)") }
            guard let v = value[key] else { throw fail(path, "missing field \"\(key)\"") }
            return v
        }
        func string(_ value: JSONValue, _ key: String, _ path: String) throws -> String {
            let v = try field(value, key, path)
            guard let s = v.stringValue else { throw fail("\(path).\(key)", "expected a string, found \(v.kindName)") }
            return s
        }
        func array(_ value: JSONValue, _ key: String, _ path: String) throws -> [JSONValue] {
            let v = try field(value, key, path)
            guard let a = v.arrayValue else { throw fail("\(path).\(key)", "expected an array, found \(v.kindName)") }
            return a
        }
        var examples: [SQuADExample] = []
        for (a, article) in try array(root, "data", "<root>").enumerated() {
            let ap = "data[\(a)]"
            let title = (article[("title")]?.stringValue) ?? ""
            for (p, paragraph) in try array(article, "paragraphs", ap).enumerated() {
                let pp = "\(ap).paragraphs[\(p)]"
                let context = try string(paragraph, "context", pp)
                let length = context.unicodeScalars.count
                for (q, qa) in try array(paragraph, "qas", pp).enumerated() {
                    let qp = "\(pp).qas[\(q)]"
                    let id = try string(qa, "id", qp)
                    let question = try string(qa, "question", qp)
                    var impossible = false
                    if let v = qa["is_impossible"] {
                        guard let b = v.boolValue else { throw fail("\(qp).is_impossible", "expected a boolean, found \(v.kindName)") }
                        impossible = b
                    }
                    var answers: [SQuADExample.Answer] = []
                    for (k, answer) in try array(qa, "answers", qp).enumerated() {
                        let np = "\(qp).answers[\(k)]"
                        let text = try string(answer, "text", np)
                        let s = try field(answer, "answer_start", np)
                        guard let start = s.intValue else { throw fail("\(np).answer_start", "expected an integer, found \(s.kindName)") }
                        let end = start + text.unicodeScalars.count
                        guard start >= 0, end <= length else {
                            throw fail(np, "question \(id): answer \"\(text)\" at \(start)..<\(end) lies outside its context (\(length) characters)")
                        }
                        answers.append(.init(text: text, start: start))
                    }
                    examples.append(SQuADExample(id: id, title: title, question: question, context: context,
                                                 answers: answers, isImpossible: impossible))
                }
            }
        }
        return examples
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    static func position(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1, column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            if bytes[i] == UInt8(ascii: "\n") { line += 1; column = 1 }
            else if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (line, column)
    }
}

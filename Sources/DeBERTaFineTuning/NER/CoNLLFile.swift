import DeBERTaFiles
import Foundation

/// One sentence of a CoNLL file: its words, their tags (nil for a file without a tag column), and
/// where they were read.
public struct CoNLLSentence: Equatable, Sendable {
    /// The words (the first column), in order.
    public var words: [String]
    /// The tags (the last column), one per word; nil when the file has only the word column.
    public var tags: [String]?
    /// The 1-based line of each word.
    public var lines: [Int]
    /// The 0-based document the sentence belongs to: each `-DOCSTART-` line starts the next one.
    public var document: Int

    public init(words: [String], tags: [String]?, lines: [Int], document: Int) {
        self.words = words
        self.tags = tags
        self.lines = lines
        self.document = document
    }
}

/// Reads CoNLL-2003-style files: one word a line with its columns separated by spaces or tabs
/// (`EU NNP I-NP I-ORG`), the word first and its tag last; a blank line ends a sentence; a
/// `-DOCSTART-` line starts a document and is no word.
///
/// The first word line fixes the number of columns, and every other word line must have as many:
/// a file of one column is unlabelled (a test file without answers). Tags are kept as written:
/// IOB1 (the original CoNLL-2003 files: `I-` inside an entity, `B-` only between two adjacent
/// entities of one type) and IOB2 read alike. A trailing `\r` (CRLF files) and a UTF-8 byte-order
/// mark are dropped. Every problem is an error naming the file, the line and, where it is at one
/// place, the column.
public enum CoNLLFile {
    /// The first column of a document-start line.
    public static let documentStart = "-DOCSTART-"

    /// The sentences of the file at `url`; with `labels`, every tag must be one of them.
    /// - Throws: ``TaskDataError`` for a missing file, invalid UTF-8, a wrong column count or an unknown tag.
    public static func read(_ url: URL, labels: [String]? = nil) throws -> [CoNLLSentence] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw TaskDataError(.unreadable, file: url.path, isDirectory.boolValue ? "is a folder, expected a CoNLL file" : "no such file")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TaskDataError(.unreadable, file: url.path, "cannot read: \(error.localizedDescription)")
        }
        return try parse([UInt8](data), path: url.path, labels: labels)
    }

    /// The sentences in `bytes` (a whole file); `path` names it in errors.
    public static func parse(_ bytes: [UInt8], path: String, labels: [String]? = nil) throws -> [CoNLLSentence] {
        let known = labels.map(Set.init)
        var sentences: [CoNLLSentence] = []
        var current = CoNLLSentence(words: [], tags: [], lines: [], document: 0)
        var document = 0, seenDocumentStart = false
        // The first word line's column count and its line, which every other word line must match.
        var layout: (columns: Int, line: Int)? = nil
        func endSentence() {
            if !current.words.isEmpty {
                if layout?.columns == 1 { current.tags = nil }
                sentences.append(current)
            }
            current = CoNLLSentence(words: [], tags: [], lines: [], document: document)
        }

        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lineNumber = 0
        while start < bytes.count {
            lineNumber += 1
            let newline = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            var end = newline
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            let line = try decodeLine(bytes[start..<end], path: path, line: lineNumber)
            start = newline + 1

            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.isEmpty {
                endSentence()
                continue
            }
            if fields[0] == documentStart {
                endSentence()
                // The first `-DOCSTART-` opens document 0; each later one the next.
                if seenDocumentStart || !sentences.isEmpty { document += 1 }
                seenDocumentStart = true
                current.document = document
                continue
            }
            if let layout, fields.count != layout.columns {
                throw TaskDataError(.wrongColumnCount, file: path, line: lineNumber,
                                    "\(fields.count) column\(fields.count == 1 ? "" : "s"), but the file's first word line (line \(layout.line)) has \(layout.columns)")
            }
            if layout == nil { layout = (fields.count, lineNumber) }
            current.words.append(String(fields[0]))
            current.lines.append(lineNumber)
            if fields.count > 1 {
                let tag = String(fields[fields.count - 1])
                if let known, !known.contains(tag) {
                    let column = line.distance(from: line.startIndex, to: fields[fields.count - 1].startIndex) + 1
                    throw TaskDataError(.unknownLabel, file: path, line: lineNumber, column: column,
                                        "unknown tag \"\(tag)\" (known: \(labels!.joined(separator: ", ")))")
                }
                current.tags!.append(tag)
            }
        }
        endSentence()
        return sentences
    }

    /// The line's text, or an error at the first byte that is not UTF-8.
    static func decodeLine(_ bytes: ArraySlice<UInt8>, path: String, line: Int) throws -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        let array = Array(bytes)
        var offset = 0, characters = 0
        while offset < array.count {
            let length = UTF8Validation.sequenceLength(array, at: offset)
            if length == 0 { break }
            offset += length
            characters += 1
        }
        let byte = offset < array.count ? String(format: " (byte 0x%02X)", array[offset]) : ""
        throw TaskDataError(.invalidUTF8, file: path, line: line, column: characters + 1, "invalid UTF-8\(byte)")
    }
}

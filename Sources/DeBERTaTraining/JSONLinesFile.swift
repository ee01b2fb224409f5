import DeBERTaFiles
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON-lines file of typed records — `eval_results.jsonl`, `training_log.jsonl` — one JSON
/// object a line, keys sorted.
///
/// A line is appended with one `write` of the whole line, and a failed write is cut off again, so
/// the file never keeps half a line from an error; a line cut short otherwise (the machine going
/// down mid-write) does not decode and is dropped by the next ``keep(where:)``, which rewrites
/// the file atomically.
public final class JSONLinesFile<Record: Codable> {
    public let url: URL
    private var descriptor: Int32 = -1

    /// The file at `url`; nothing is read or written yet.
    public init(_ url: URL) {
        self.url = url
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// The records of the file at `url` in order, skipping lines that do not decode; none when
    /// there is no such file.
    public static func read(_ url: URL) throws -> [Record] {
        try lines(of: url).compactMap(\.record)
    }

    /// Keeps only the records `isKept` accepts, as their lines were written, and rewrites the file
    /// atomically (creating it); returns the kept records. A resumed run drops what it will redo.
    @discardableResult
    public func keep(where isKept: (Record) -> Bool) throws -> [Record] {
        let kept = try Self.lines(of: url).filter { $0.record.map(isKept) ?? false }
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        try writeFileAtomically(Data(kept.map { $0.text + "\n" }.joined().utf8), to: url)
        return kept.map { $0.record! }
    }

    /// Appends `record` as one line (creating the file if needed).
    public func append(_ record: Record) throws {
        if descriptor < 0 {
            descriptor = open(url.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            guard descriptor >= 0 else { throw FileError(file: url.path, message: "cannot open for appending: \(String(cString: strerror(errno)))") }
        }
        let line = Array(try Self.encoder.encode(record)) + [UInt8(ascii: "\n")]
        let start = lseek(descriptor, 0, SEEK_END)
        var written = 0
        while written < line.count {
            let n = line.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, line.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                if start >= 0 { _ = ftruncate(descriptor, start) }
                throw FileError(file: url.path, message: "cannot append a line: \(reason)")
            }
            written += n
        }
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The lines of the file with their records (nil where a line does not decode).
    private static func lines(of url: URL) throws -> [(text: Substring, record: Record?)] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw FileError(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        return text.split(separator: "\n").map { ($0, try? decoder.decode(Record.self, from: Data($0.utf8))) }
    }
}

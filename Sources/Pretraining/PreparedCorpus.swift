import Checkpoint
import Foundation

/// A prepared data file (`train.txt`, `valid.txt`) read back without loading it: the file is
/// memory-mapped and indexed once (an offset and a length per example line, 12 bytes each); an
/// example's pieces are decoded on demand.
///
/// As the original `load_data`, every line whose text (with its newline, in characters) is longer
/// than one character is an example; lines end at `\n`, `\r\n` or `\r` (Python's universal newlines).
public final class PreparedCorpus: @unchecked Sendable {
    public let url: URL
    private let file: MappedFile
    private var starts: [Int] = []
    private var lengths: [Int32] = []

    public init(url: URL) throws {
        self.url = url
        do { file = try MappedFile(url: url) } catch {
            throw PretrainingError.file(url.path, "cannot read the prepared data: \(error)")
        }
        buildIndex()
        guard !starts.isEmpty else { throw PretrainingError.file(url.path, "no examples (every line is empty)") }
    }

    /// Number of examples.
    public var count: Int { starts.count }

    private func buildIndex() {
        let bytes = file.bytes
        let n = bytes.count
        var i = 0
        while i < n {
            let lineStart = i
            while i < n && bytes[i] != 0x0A && bytes[i] != 0x0D { i += 1 }
            let lineEnd = i
            var terminated = false
            if i < n {
                terminated = true
                i += (bytes[i] == 0x0D && i + 1 < n && bytes[i + 1] == 0x0A) ? 2 : 1
            }
            // len(line) > 1 in characters, the translated "\n" included.
            var characters = terminated ? 1 : 0
            var j = lineStart
            while j < lineEnd && characters < 2 {
                if bytes[j] & 0xC0 != 0x80 { characters += 1 }
                j += 1
            }
            if characters > 1 {
                starts.append(lineStart)
                lengths.append(Int32(lineEnd - lineStart))
            }
        }
        starts.shrinkToFit()
        lengths.shrinkToFit()
    }

    /// The text of example `index` (without its newline).
    public func line(_ index: Int) throws -> String {
        precondition(index >= 0 && index < count, "example \(index) outside 0..<\(count)")
        let slice = UnsafeRawBufferPointer(rebasing: file.bytes[starts[index]..<(starts[index] + Int(lengths[index]))])
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw PretrainingError.file(url.path, "example \(index) is not valid UTF-8")
        }
        return text
    }

    /// The pieces of example `index`: `line.strip().split()`.
    public func pieces(_ index: Int) throws -> [String] {
        PythonText.split(Substring(try line(index)))
    }
}

extension Array {
    fileprivate mutating func shrinkToFit() {
        if capacity > count + count / 8 { self = Array(self) }
    }
}

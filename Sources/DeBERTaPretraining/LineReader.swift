import Foundation

/// Reads a text file line by line in fixed-size chunks, splitting lines as Python's text mode does
/// (universal newlines: `\n`, `\r\n` and a lone `\r` each end a line). Memory stays at one chunk
/// plus the longest line, whatever the file size.
struct LineReader {
    let url: URL
    private let handle: FileHandle
    private let chunkSize: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var searchFrom = 0
    private var atEnd = false
    /// 1-based number of the line returned last (for error messages).
    private(set) var lineNumber = 0

    init(url: URL, chunkSize: Int = 1 << 20) throws {
        self.url = url
        self.chunkSize = chunkSize
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw PretrainingError.file(url.path, "cannot open for reading: \(error.localizedDescription)")
        }
    }

    /// The next line's text without its terminator, and whether it had one; nil at the end.
    /// Throws when the line is not valid UTF-8 (as Python's `open(..., encoding='utf-8')` would).
    mutating func next() throws -> (text: String, terminated: Bool)? {
        while true {
            if let i = findBreak() {
                let isCR = buffer[i] == 0x0D
                if isCR && i + 1 == buffer.count && !atEnd {
                    try refill()  // a "\r" at the end of the chunk: look at the next byte first
                    continue
                }
                let end = i
                let next = isCR && i + 1 < buffer.count && buffer[i + 1] == 0x0A ? i + 2 : i + 1
                let text = try decode(start..<end)
                start = next
                searchFrom = next
                return (text, true)
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let text = try decode(start..<buffer.count)
                start = buffer.count
                return (text, false)
            }
            try refill()
        }
    }

    private mutating func findBreak() -> Int? {
        var i = max(searchFrom, start)
        while i < buffer.count {
            let b = buffer[i]
            if b == 0x0A || b == 0x0D { return i }
            i += 1
        }
        searchFrom = buffer.count
        return nil
    }

    private mutating func refill() throws {
        let chunk: Data
        do { chunk = try handle.read(upToCount: chunkSize) ?? Data() } catch {
            throw PretrainingError.file(url.path, "read failed: \(error.localizedDescription)")
        }
        if start > 0 {
            buffer.removeFirst(start)
            searchFrom -= start
            start = 0
        }
        if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
    }

    private mutating func decode(_ range: Range<Int>) throws -> String {
        lineNumber += 1
        guard let s = String(validating: buffer[range], as: UTF8.self) else {
            throw PretrainingError.file(url.path, "line \(lineNumber) is not valid UTF-8")
        }
        return s
    }
}

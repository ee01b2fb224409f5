import Foundation

/// Reads a text file as lines, a chunk of bytes at a time, so that memory stays at one chunk plus
/// the lines handed out whatever the file's size.
///
/// Lines end at `\n`; one `\r` before it is dropped (CRLF files read like LF files); a final line
/// without a newline counts, a final newline does not start an empty one. Lines must be valid UTF-8
/// and at most ``maximumLineBytes`` long: a file without newlines would otherwise be read whole.
struct LineChunks {
    /// The longest line accepted, in bytes.
    static let maximumLineBytes = 64 << 20

    private let path: String
    private let handle: FileHandle
    private let chunkSize: Int
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the next newline resumes (the bytes before it hold none).
    private var searchFrom = 0
    private var atEnd = false
    /// 1-based number of the line returned last (for error messages).
    private(set) var lineNumber = 0

    /// Opens `path`; it must be a regular file (a FIFO or a device such as `/dev/zero` never ends).
    init(path: String, chunkSize: Int = 1 << 20) throws {
        self.path = path
        self.chunkSize = chunkSize
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw CLIError("\(path): cannot read: \(error.localizedDescription)")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw CLIError("\(path): not a regular file")
        }
        do { handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)) } catch {
            throw CLIError("\(path): cannot read: \(error.localizedDescription)")
        }
    }

    /// The next line without its terminator; nil at the end of the file.
    mutating func next() throws -> String? {
        while true {
            if let newline = buffer[max(start, searchFrom)...].firstIndex(of: 0x0A) {
                let line = try decode(start..<newline)
                start = newline + 1
                return line
            }
            searchFrom = buffer.count
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = try decode(start..<buffer.count)
                start = buffer.count
                return line
            }
            guard buffer.count - start <= Self.maximumLineBytes else {
                throw CLIError("\(path):\(lineNumber + 1): line longer than \(Self.maximumLineBytes) bytes")
            }
            try refill()
        }
    }

    private mutating func refill() throws {
        buffer.removeSubrange(0..<start)
        searchFrom -= start
        start = 0
        let chunk: Data?
        do { chunk = try handle.read(upToCount: chunkSize) } catch {
            throw CLIError("\(path): cannot read: \(error.localizedDescription)")
        }
        if let chunk, !chunk.isEmpty { buffer.append(contentsOf: chunk) } else { atEnd = true }
    }

    private mutating func decode(_ range: Range<Int>) throws -> String {
        lineNumber += 1
        var bytes = buffer[range]
        if bytes.last == 0x0D { bytes = bytes.dropLast() }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CLIError("\(path):\(lineNumber): invalid UTF-8")
        }
        return text
    }
}

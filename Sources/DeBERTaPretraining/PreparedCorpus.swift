import DeBERTaPythonCompat
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A prepared data file (`train.txt`, `valid.txt`) read back without loading it: the file is indexed
/// once in 1 MiB reads (an offset and a length per example line, 12 bytes each), and an example's
/// bytes are read with `pread` when it is needed. Nothing of the file stays in the process's memory,
/// so a corpus of many gigabytes costs only its index.
///
/// As the original `load_data`, every line whose text (with its newline, in characters) is longer
/// than one character is an example; lines end at `\n`, `\r\n` or `\r` (Python's universal newlines).
public final class PreparedCorpus: @unchecked Sendable {
    public let url: URL
    private let descriptor: Int32
    private var starts: [Int] = []
    private var lengths: [Int32] = []

    public init(url: URL) throws {
        self.url = url
        descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            throw PretrainingError.file(url.path, "cannot read the prepared data: \(String(cString: strerror(errno)))")
        }
        do {
            try buildIndex()
        } catch {
            close(descriptor)
            throw error
        }
        guard !starts.isEmpty else {
            close(descriptor)
            throw PretrainingError.file(url.path, "no examples (every line is empty)")
        }
    }

    deinit { close(descriptor) }

    /// Number of examples.
    public var count: Int { starts.count }

    /// One pass over the file: a line's start, its end (newline excluded) and, while fewer than two
    /// characters have been seen, its character count.
    private func buildIndex() throws {
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buffer.deallocate() }
        var offset = 0
        var lineStart = 0
        var characters = 0
        var pendingCR = false
        func endLine(at end: Int, newline: Bool) {
            if characters + (newline ? 1 : 0) > 1 {
                starts.append(lineStart)
                lengths.append(Int32(clamping: end - lineStart))
            }
            characters = 0
        }
        while true {
            let n = pread(descriptor, buffer.baseAddress, chunk, off_t(offset))
            guard n >= 0 else {
                if errno == EINTR { continue }
                throw PretrainingError.file(url.path, "read failed at byte \(offset): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            for i in 0..<n {
                let byte = buffer[i], position = offset + i
                if pendingCR {
                    pendingCR = false
                    if byte == 0x0A {
                        lineStart = position + 1
                        continue
                    }
                }
                switch byte {
                case 0x0A:
                    endLine(at: position, newline: true)
                    lineStart = position + 1
                case 0x0D:
                    endLine(at: position, newline: true)
                    lineStart = position + 1
                    pendingCR = true
                default:
                    if characters < 2 && byte & 0xC0 != 0x80 { characters += 1 }
                }
            }
            offset += n
        }
        if offset > lineStart { endLine(at: offset, newline: false) }
        starts.shrinkToFit()
        lengths.shrinkToFit()
    }

    /// The text of example `index` (without its newline).
    public func line(_ index: Int) throws -> String {
        precondition(index >= 0 && index < count, "example \(index) outside 0..<\(count)")
        let length = Int(lengths[index]), start = starts[index]
        var bytes = [UInt8](repeating: 0, count: length)
        var done = 0
        try bytes.withUnsafeMutableBytes { raw in
            while done < length {
                let n = pread(descriptor, raw.baseAddress! + done, length - done, off_t(start + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw PretrainingError.file(url.path, "example \(index) cannot be read (file changed or truncated?)")
                }
                done += n
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
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

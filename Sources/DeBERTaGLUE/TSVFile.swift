import Foundation

/// One line of a tab-separated file, split into its fields.
struct TSVRow: Sendable {
    /// The 1-based line number in the file.
    let line: Int
    /// The fields, exactly as written (not trimmed, no quote processing).
    let fields: [String]
}

/// Reads GLUE TSV files the way the original `csv.reader(delimiter='\t', quotechar=None)` sees them.
///
/// - Fields are split on `\t` only; `"` has no special meaning, so unbalanced quotes stay in the text.
/// - A UTF-8 byte-order mark at the start of the file is dropped.
/// - One trailing `\r` is removed from every line (CRLF files read like LF files).
/// - A missing newline after the last line is accepted; a final `\n` does not start an extra row.
/// - Fields are not trimmed: leading and trailing spaces are part of the text.
/// - Every line must be valid UTF-8; otherwise the error names the file and line.
enum TSVFile {
    /// Reads and splits the file at `url`.
    static func read(_ url: URL) throws -> [TSVRow] {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw GLUEError(.fileNotFound, file: path, "file not found")
        }
        guard !isDirectory.boolValue else {
            throw GLUEError(.ioFailure, file: path, "is a directory, expected a tab-separated data file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw GLUEError(.ioFailure, file: path, "cannot read file: \(error.localizedDescription)")
        }
        return try parse([UInt8](data), path: path)
    }

    /// Splits `bytes` (the whole file) into rows; `path` is only used in error messages.
    static func parse(_ bytes: [UInt8], path: String) throws -> [TSVRow] {
        let newline: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D, tab: UInt8 = 0x09
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }

        var rows: [TSVRow] = []
        var lineNumber = 0
        while start < bytes.count {
            lineNumber += 1
            let newlineIndex = bytes[start...].firstIndex(of: newline) ?? bytes.count
            var end = newlineIndex
            if end > start, bytes[end - 1] == carriageReturn { end -= 1 }
            let line = bytes[start..<end]
            guard String(validating: line, as: UTF8.self) != nil else {
                let column = firstInvalidByteOffset(line).map { " (byte \($0 + 1) of the line)" } ?? ""
                throw GLUEError(.invalidUTF8, file: path, line: lineNumber, "line is not valid UTF-8\(column)")
            }
            // The line is valid UTF-8 and a tab is ASCII, so every field is valid UTF-8 too.
            let fields = line.split(separator: tab, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            rows.append(TSVRow(line: lineNumber, fields: fields))
            start = newlineIndex + 1
        }
        return rows
    }

    /// The offset of the first byte that makes `line` invalid UTF-8, for error messages.
    private static func firstInvalidByteOffset(_ line: ArraySlice<UInt8>) -> Int? {
        var decoder = UTF8()
        var iterator = line.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}

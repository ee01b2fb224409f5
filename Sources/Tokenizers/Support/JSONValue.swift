/// A parsed JSON value whose strings are kept as UTF-8 bytes.
///
/// Foundation's `JSONSerialization` returns `String` keys, and Swift `String` equality uses
/// canonical equivalence, so two vocabulary entries differing only in NFC/NFD form would collapse
/// into one key. This parser never builds a `String` for a key or a value: strings stay `[UInt8]`
/// and objects keep every member, in file order (duplicates included; readers decide).
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string([UInt8])
    case array([JSONValue])
    case object([(key: [UInt8], value: JSONValue)])

    /// The last member named `key` (as Python's `json` keeps the last duplicate), if this is an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        let wanted = Array(key.utf8)
        for member in members.reversed() where member.key == wanted { return member.value }
        return nil
    }

    var stringBytes: [UInt8]? {
        if case .string(let bytes) = self { return bytes }
        return nil
    }

    /// The string decoded as Swift text (only for configuration values, never for vocabulary keys).
    var stringValue: String? {
        if case .string(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The number as an `Int` if it is integral and in range.
    var intValue: Int? {
        guard case .number(let value) = self, value.rounded() == value, abs(value) < 9.0e15 else { return nil }
        return Int(value)
    }

    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var objectMembers: [(key: [UInt8], value: JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// A strict RFC 8259 JSON parser over UTF-8 bytes (with a nesting limit, so hostile input cannot
/// exhaust the stack). Errors say what was found and at which byte.
struct JSONParser {
    struct Failure: Error { let message: String }

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    private static let maxDepth = 256

    /// Parses one complete JSON document; trailing non-whitespace is an error.
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        // A UTF-8 byte order mark is tolerated at the start, as Python's json.load (utf-8-sig) does not, but
        // editors sometimes add one; it carries no data.
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { parser.index = 3 }
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.failure("unexpected data after the JSON value") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func failure(_ what: String) -> Failure {
        if index < bytes.count {
            let byte = bytes[index]
            let shown = byte >= 0x20 && byte < 0x7F ? "\"\(Character(Unicode.Scalar(byte)))\"" : "0x" + String(byte, radix: 16)
            return Failure(message: "\(what) (found \(shown) at byte \(index))")
        }
        return Failure(message: "\(what) (at end of input, byte \(index))")
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws -> JSONValue {
        guard index < bytes.count else { throw failure("expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        // Python's json.dumps writes these for non-finite floats; accept them rather than reject real files.
        case UInt8(ascii: "N"): try expectLiteral("NaN"); return .number(.nan)
        case UInt8(ascii: "I"): try expectLiteral("Infinity"); return .number(.infinity)
        default: throw failure("expected a value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("invalid literal") }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw failure("invalid literal")
        }
        index += count
    }

    private mutating func enter() throws {
        depth += 1
        if depth > JSONParser.maxDepth { throw failure("nesting deeper than \(JSONParser.maxDepth) levels") }
    }

    private mutating func parseObject() throws -> JSONValue {
        try enter()
        index += 1
        var members: [(key: [UInt8], value: JSONValue)] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected \":\"") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            members.append((key, value))
            skipWhitespace()
            guard index < bytes.count else { throw failure("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; break }
            throw failure("expected \",\" or \"}\"")
        }
        depth -= 1
        return .object(members)
    }

    private mutating func parseArray() throws -> JSONValue {
        try enter()
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw failure("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; break }
            throw failure("expected \",\" or \"]\"")
        }
        depth -= 1
        return .array(items)
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw failure("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseString() throws -> [UInt8] {
        index += 1  // opening quote
        var out: [UInt8] = []
        // Fast path: copy runs without escapes.
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                return out
            }
            if c == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.count else { throw failure("unterminated escape") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw failure("unpaired UTF-16 surrogate in \\u escape")
                        }
                        index += 2
                        let low = try parseHex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw failure("unpaired UTF-16 surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        throw failure("unpaired UTF-16 surrogate in \\u escape")
                    }
                    appendUTF8(scalar, to: &out)
                default:
                    index -= 1
                    throw failure("invalid escape")
                }
                continue
            }
            if c < 0x20 { throw failure("raw control character in string") }
            // Validate UTF-8 so that keys are always well-formed text.
            if c < 0x80 {
                out.append(c)
                index += 1
            } else {
                let length = utf8SequenceLength(bytes, index)
                guard length > 0 else { throw failure("invalid UTF-8 in string") }
                out.append(contentsOf: bytes[index..<index + length])
                index += length
            }
        }
        throw failure("unterminated string")
    }

    private mutating func parseNumber() throws -> Double {
        let start = index
        if bytes[index] == UInt8(ascii: "-") {
            index += 1
            if index < bytes.count && bytes[index] == UInt8(ascii: "I") {
                try expectLiteral("Infinity")
                return -.infinity
            }
        }
        var sawDigit = false
        while index < bytes.count {
            let c = bytes[index]
            if (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) {
                sawDigit = true
                index += 1
            } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                index += 1
            } else {
                break
            }
        }
        guard sawDigit else { throw failure("invalid number") }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text) else {
            index = start
            throw failure("invalid number \"\(text)\"")
        }
        return value
    }
}

/// Length of the valid UTF-8 sequence starting at `i`, or 0 if it is malformed (overlong forms,
/// surrogates and values above U+10FFFF are malformed, as in the Unicode standard).
func utf8SequenceLength(_ bytes: [UInt8], _ i: Int) -> Int {
    bytes.withUnsafeBufferPointer { utf8SequenceLength($0, i) }
}

func utf8SequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
    let n = bytes.count
    let b0 = bytes[i]
    if b0 < 0x80 { return 1 }
    @inline(__always) func cont(_ k: Int) -> Bool { k < n && bytes[k] & 0xC0 == 0x80 }
    switch b0 {
    case 0xC2...0xDF:
        return cont(i + 1) ? 2 : 0
    case 0xE0:
        return i + 1 < n && bytes[i + 1] >= 0xA0 && bytes[i + 1] <= 0xBF && cont(i + 2) ? 3 : 0
    case 0xE1...0xEC, 0xEE...0xEF:
        return cont(i + 1) && cont(i + 2) ? 3 : 0
    case 0xED:
        return i + 1 < n && bytes[i + 1] >= 0x80 && bytes[i + 1] <= 0x9F && cont(i + 2) ? 3 : 0
    case 0xF0:
        return i + 1 < n && bytes[i + 1] >= 0x90 && bytes[i + 1] <= 0xBF && cont(i + 2) && cont(i + 3) ? 4 : 0
    case 0xF1...0xF3:
        return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0
    case 0xF4:
        return i + 1 < n && bytes[i + 1] >= 0x80 && bytes[i + 1] <= 0x8F && cont(i + 2) && cont(i + 3) ? 4 : 0
    default:
        return 0
    }
}

/// Appends the UTF-8 encoding of a scalar value (assumed valid).
func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
    if scalar < 0x80 {
        out.append(UInt8(scalar))
    } else if scalar < 0x800 {
        out.append(UInt8(0xC0 | (scalar >> 6)))
        out.append(UInt8(0x80 | (scalar & 0x3F)))
    } else if scalar < 0x10000 {
        out.append(UInt8(0xE0 | (scalar >> 12)))
        out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (scalar & 0x3F)))
    } else {
        out.append(UInt8(0xF0 | (scalar >> 18)))
        out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (scalar & 0x3F)))
    }
}

/// Parses a JSON file, naming the file in any error.
func parseJSONFile(_ bytes: [UInt8], path: String) throws -> JSONValue {
    do {
        return try JSONParser.parse(bytes)
    } catch let failure as JSONParser.Failure {
        throw TokenizerError.malformedFile(path: path, reason: "not valid JSON: \(failure.message)")
    }
}

/// A JSON (RFC 8259) parser over UTF-8 bytes producing ``JSONValue``.
///
/// Strict by default; ``Options`` opt in to the two departures from the RFC that real tokenizer
/// files need. Nesting is limited so that hostile input cannot exhaust the stack, and every error
/// names the byte offset and the problem.
public struct JSONParser {
    /// What the parser accepts beyond RFC 8259, and how deep it lets values nest.
    public struct Options: Sendable {
        /// Accept `NaN`, `Infinity` and `-Infinity` as numbers, as Python's `json` module writes
        /// non-finite floats (kept as that text in ``JSONValue/number(_:)``).
        public var allowsNonFiniteNumbers: Bool
        /// Skip a UTF-8 byte order mark (`EF BB BF`) at the start, as some editors add one.
        public var allowsByteOrderMark: Bool
        /// Deepest nesting of arrays and objects accepted (the top-level container is depth 1).
        public var maximumDepth: Int

        /// Options with every extension off unless requested.
        public init(allowsNonFiniteNumbers: Bool = false, allowsByteOrderMark: Bool = false, maximumDepth: Int = 256) {
            self.allowsNonFiniteNumbers = allowsNonFiniteNumbers
            self.allowsByteOrderMark = allowsByteOrderMark
            self.maximumDepth = maximumDepth
        }

        /// RFC 8259 exactly, nesting up to 256 levels.
        public static let strict = Options()
        /// RFC 8259 plus non-finite number literals and a leading byte order mark, nesting up to 256
        /// levels: what JSON written by Python tools or edited by hand may contain.
        public static let lenient = Options(allowsNonFiniteNumbers: true, allowsByteOrderMark: true)
    }

    /// Malformed input.
    public struct SyntaxError: Error, CustomStringConvertible, Sendable {
        /// Byte position of the problem, counted from the start of the parsed bytes.
        public let offset: Int
        /// What is wrong, without the position (e.g. `expected a value`).
        public let message: String
        /// The byte at ``offset``, or `nil` when the input ended there.
        public let foundByte: UInt8?

        /// The problem with what was found and where, e.g. `expected a value (found "}" at byte 14)`.
        public var description: String {
            guard let byte = foundByte else { return "\(message) (at end of input, byte \(offset))" }
            let shown = byte >= 0x20 && byte < 0x7F ? "\"\(Character(Unicode.Scalar(byte)))\"" : "0x" + String(byte, radix: 16)
            return "\(message) (found \(shown) at byte \(offset))"
        }
    }

    private let bytes: [UInt8]
    private let options: Options
    private var index = 0
    private var depth = 0

    /// Parses `bytes` as exactly one JSON value, optionally surrounded by whitespace.
    ///
    /// - Throws: ``SyntaxError`` for anything else: malformed syntax, invalid UTF-8 inside a string,
    ///   an unpaired UTF-16 surrogate escape, nesting deeper than `options.maximumDepth`, data after
    ///   the value, or an extension that `options` does not allow.
    public static func parse(_ bytes: [UInt8], options: Options = .strict) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, options: options)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            guard options.allowsByteOrderMark else { throw parser.failure("byte order mark before the JSON value") }
            parser.index = 3
        }
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.failure("unexpected data after the JSON value") }
        return value
    }

    private init(bytes: [UInt8], options: Options) {
        self.bytes = bytes
        self.options = options
    }

    private func failure(_ message: String, at offset: Int? = nil) -> SyntaxError {
        let offset = offset ?? index
        return SyntaxError(offset: offset, message: message, foundByte: offset < bytes.count ? bytes[offset] : nil)
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
        case UInt8(ascii: "N"): return try parseNonFinite("NaN")
        case UInt8(ascii: "I"): return try parseNonFinite("Infinity")
        case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "I"):
            return try parseNonFinite("-Infinity")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw failure("expected a value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        guard index + count <= bytes.count, (0..<count).allSatisfy({ bytes[index + $0] == start[$0] }) else {
            throw failure("invalid literal")
        }
        index += count
    }

    private mutating func parseNonFinite(_ literal: StaticString) throws -> JSONValue {
        let start = index
        try expectLiteral(literal)
        guard options.allowsNonFiniteNumbers else {
            throw failure("\(literal) is not a JSON number (non-finite numbers are not allowed here)", at: start)
        }
        return .number("\(literal)")
    }

    private mutating func enter() throws {
        depth += 1
        guard depth <= options.maximumDepth else { throw failure("nesting deeper than \(options.maximumDepth) levels") }
    }

    private mutating func parseObject() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [(key: [UInt8], value: JSONValue)] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
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
            members.append((key, try parseValue()))
            skipWhitespace()
            guard index < bytes.count else { throw failure("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw failure("expected \",\" or \"}\"")
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw failure("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw failure("expected \",\" or \"]\"")
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as text.
    private mutating func parseNumber() throws -> JSONValue {
        let start = index
        func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") }
        func digits() -> Bool {
            let begin = index
            while isDigit(index) { index += 1 }
            return index > begin
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        if index < bytes.count && bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) { throw failure("invalid number (leading zero)") }
        } else if !digits() {
            throw failure("invalid number (no digits)")
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() else { throw failure("invalid number (no digits after the decimal point)") }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            guard digits() else { throw failure("invalid number (no digits in the exponent)") }
        }
        return .number(String(decoding: bytes[start..<index], as: UTF8.self))
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

    /// Reads a string starting at its opening quote; returns its UTF-8 bytes with escapes resolved.
    private mutating func parseString() throws -> [UInt8] {
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                return out
            }
            if c == UInt8(ascii: "\\") {
                try parseEscape(into: &out)
            } else if c < 0x20 {
                throw failure("unescaped control character in string")
            } else if c < 0x80 {
                out.append(c)
                index += 1
            } else {
                let length = UTF8Validation.sequenceLength(bytes, at: index)
                guard length > 0 else { throw failure("invalid UTF-8 in string") }
                out.append(contentsOf: bytes[index..<index + length])
                index += length
            }
        }
        throw failure("unterminated string")
    }

    /// Reads one escape sequence starting at its backslash.
    private mutating func parseEscape(into out: inout [UInt8]) throws {
        let start = index
        index += 1
        guard index < bytes.count else { throw failure("unterminated escape") }
        let e = bytes[index]
        index += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            switch scalar {
            case 0xD800..<0xDC00:
                guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw failure("unpaired UTF-16 surrogate in \\u escape", at: start)
                }
                index += 2
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired UTF-16 surrogate in \\u escape", at: start) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            case 0xDC00..<0xE000:
                throw failure("unpaired UTF-16 surrogate in \\u escape", at: start)
            default:
                break
            }
            Self.appendUTF8(scalar, to: &out)
        default:
            throw failure("invalid escape", at: index - 1)
        }
    }

    /// Appends the UTF-8 encoding of a Unicode scalar value (not a surrogate, at most U+10FFFF).
    private static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
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
}

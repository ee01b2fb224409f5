/// A parsed JSON value that loses nothing of the source text that matters to a reader.
///
/// - Strings and object keys are the exact UTF-8 bytes of the decoded string (escapes resolved, always
///   well-formed UTF-8). No Swift `String` is built for them, because `String` equality uses
///   canonical equivalence: two vocabulary keys that differ only in NFC/NFD form would compare equal
///   and collapse into one.
/// - Numbers are kept as their source text, so integers of any size are read exactly and a reader
///   chooses the interpretation (``intValue``, ``nonNegativeInt``, ``doubleValue``). With
///   ``JSONParser/Options/allowsNonFiniteNumbers`` the text may also be `NaN`, `Infinity` or
///   `-Infinity`.
/// - Objects keep every member in file order, duplicates included, so that a reader can detect
///   duplicates or apply its own rule (``subscript(_:)`` takes the last one, as Python's `json` does).
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// A number's source text, e.g. `-12`, `3.5e-7`, `18446744073709551617`.
    case number(String)
    /// A string's UTF-8 bytes.
    case string([UInt8])
    case array([JSONValue])
    /// An object's members in file order; keys are UTF-8 bytes.
    case object([(key: [UInt8], value: JSONValue)])

    /// The value of the last member whose key is `key`'s UTF-8 bytes, if this is an object.
    ///
    /// Keys are compared byte for byte, so `"é"` (NFC) does not find a key written as `"e\u{301}"`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        let wanted = Array(key.utf8)
        return members.last { $0.key == wanted }?.value
    }

    /// The string's UTF-8 bytes, if this is a string.
    public var stringBytes: [UInt8]? {
        if case .string(let bytes) = self { return bytes }
        return nil
    }

    /// The string as Swift text, if this is a string.
    ///
    /// Meant for configuration values; use ``stringBytes`` where strings that differ only in Unicode
    /// normalisation form must stay distinct.
    public var stringValue: String? {
        if case .string(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    /// The number as the nearest `Double`, if this is a number (`NaN` and the infinities included;
    /// magnitudes beyond `Double`'s range become infinite).
    public var doubleValue: Double? {
        guard case .number(let text) = self else { return nil }
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }

    /// The number as an `Int`, if it is written as an integer (no fraction, no exponent) that fits in `Int`.
    ///
    /// `1.0` and `1e3` are not integers here: their text says they are floating-point values.
    public var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        return Int(text)
    }

    /// The number as an `Int`, if it is written as an integer that fits in `Int` and is not negative.
    public var nonNegativeInt: Int? {
        guard let value = intValue, value >= 0 else { return nil }
        return value
    }

    /// The Boolean, if this is `true` or `false`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// Every member in file order (duplicates included), if this is an object.
    public var objectMembers: [(key: [UInt8], value: JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short description for error messages: `null`, `a boolean`, `the number 12`, `a string`,
    /// `an array` or `an object`.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number(let text): return "the number \(text)"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

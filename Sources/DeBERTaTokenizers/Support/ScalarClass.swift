import DeBERTaFiles

/// The classes the GPT-2 pre-tokenisation pattern distinguishes, as the Python `regex` module
/// defines them: `\p{L}` (general category L*), `\p{N}` (N*), `\s` (the Unicode `White_Space`
/// property — which, unlike Python's `str.isspace`, excludes U+001C–U+001F) and everything else.
enum ScalarClass: UInt8 {
    case letter = 0
    case number = 1
    case whitespace = 2
    case other = 3

    /// Classifies one code point using Swift's Unicode tables.
    static func compute(_ value: UInt32) -> ScalarClass {
        guard let scalar = Unicode.Scalar(value) else { return .other }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    /// Precomputed classes for the Basic Multilingual Plane (64 KiB, built once).
    private static let bmpTable: [ScalarClass] = (0..<0x10000).map { compute(UInt32($0)) }

    /// The class of a code point: a table lookup below U+10000, a property lookup above.
    @inline(__always)
    static func of(_ value: UInt32) -> ScalarClass {
        value < 0x10000 ? bmpTable[Int(value)] : compute(value)
    }
}

/// Decodes the scalar starting at `i` in UTF-8 text: (value, byte length). Malformed bytes decode
/// as U+FFFD with length 1 (input from Swift strings is always well formed).
@inline(__always)
func decodeScalar(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
    let b0 = UInt32(p[i])
    if b0 < 0x80 { return (b0, 1) }
    let length = UTF8Validation.sequenceLength(p, at: i)
    switch length {
    case 2: return ((b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2)
    case 3: return ((b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
    case 4: return ((b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F), 4)
    default: return (0xFFFD, 1)
    }
}

/// GPT-2's reversible byte ↔ printable-character table (`bytes_to_unicode`).
///
/// Bytes `0x21–0x7E`, `0xA1–0xAC` and `0xAE–0xFF` stand for the code point of the same value;
/// the other 68 bytes, in increasing order, map to `U+0100 … U+0143` (space `0x20` → `Ġ` U+0120,
/// newline `0x0A` → `Ċ` U+010A). Vocabulary files spell tokens in these characters; this package
/// converts them back to raw bytes once, at load time, and works on bytes from then on.
public enum ByteLevelAlphabet {
    /// `scalarForByte[b]` is the code point that spells byte `b` in vocabulary files.
    public static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 0x100
        for b in 0..<256 {
            if (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
                table[b] = UInt32(b)
            } else {
                table[b] = next
                next += 1
            }
        }
        return table
    }()

    /// Inverse table over `U+0000 … U+0143`: the byte a code point stands for, or -1.
    static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (b, scalar) in scalarForByte.enumerated() { table[Int(scalar)] = Int16(b) }
        return table
    }()

    /// Converts a vocabulary spelling (e.g. `"Ġthe"`) to the raw bytes it stands for
    /// (`" the"`), or returns nil if some character is outside the byte-level alphabet.
    public static func bytes(fromSpelling spelling: some Sequence<Unicode.Scalar>) -> [UInt8]? {
        var out: [UInt8] = []
        for scalar in spelling {
            let v = Int(scalar.value)
            guard v < byteForScalar.count, byteForScalar[v] >= 0 else { return nil }
            out.append(UInt8(byteForScalar[v]))
        }
        return out
    }

    /// Same as ``bytes(fromSpelling:)`` for a spelling given as UTF-8 bytes.
    static func bytes(fromUTF8Spelling utf8: [UInt8]) -> [UInt8]? {
        bytes(fromSpelling: String(decoding: utf8, as: UTF8.self).unicodeScalars)
    }

    /// The vocabulary spelling of raw bytes (`" the"` → `"Ġthe"`).
    public static func spelling(of bytes: some Sequence<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for b in bytes { scalars.append(Unicode.Scalar(scalarForByte[Int(b)])!) }
        return String(scalars)
    }
}

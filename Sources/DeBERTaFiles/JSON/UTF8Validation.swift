/// Well-formedness checks for UTF-8 byte sequences, as the Unicode standard defines them: overlong
/// forms, encoded surrogates and values above U+10FFFF are malformed.
public enum UTF8Validation {
    /// Length (1 to 4) of the well-formed UTF-8 sequence starting at `i`, or 0 if the bytes there are malformed.
    @inlinable
    public static func sequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let n = bytes.count
        let b0 = bytes[i]
        if b0 < 0x80 { return 1 }
        @inline(__always) func continuation(_ k: Int) -> Bool { k < n && bytes[k] & 0xC0 == 0x80 }
        @inline(__always) func second(_ low: UInt8, _ high: UInt8) -> Bool { i + 1 < n && bytes[i + 1] >= low && bytes[i + 1] <= high }
        switch b0 {
        case 0xC2...0xDF:
            return continuation(i + 1) ? 2 : 0
        case 0xE0:
            return second(0xA0, 0xBF) && continuation(i + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(i + 1) && continuation(i + 2) ? 3 : 0
        case 0xED:
            return second(0x80, 0x9F) && continuation(i + 2) ? 3 : 0
        case 0xF0:
            return second(0x90, 0xBF) && continuation(i + 2) && continuation(i + 3) ? 4 : 0
        case 0xF1...0xF3:
            return continuation(i + 1) && continuation(i + 2) && continuation(i + 3) ? 4 : 0
        case 0xF4:
            return second(0x80, 0x8F) && continuation(i + 2) && continuation(i + 3) ? 4 : 0
        default:
            return 0
        }
    }

    /// Length (1 to 4) of the well-formed UTF-8 sequence starting at `i`, or 0 if the bytes there are malformed.
    @inlinable
    public static func sequenceLength(_ bytes: [UInt8], at i: Int) -> Int {
        bytes.withUnsafeBufferPointer { sequenceLength($0, at: i) }
    }

    /// Whether `bytes` is entirely well-formed UTF-8.
    @inlinable
    public static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var i = 0
            while i < buffer.count {
                let length = sequenceLength(buffer, at: i)
                if length == 0 { return false }
                i += length
            }
            return true
        }
    }
}

/// GPT-2's pre-tokenisation, written as a scanner that reproduces the Python `regex` pattern
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// with `findall` semantics (leftmost match, first alternative that matches wins). At each
/// position the scanner tries the alternatives in order:
/// 1. a lower-case contraction after `'`;
/// 2–4. an optional U+0020 followed by a run of letters, of numbers, or of "other" characters
///    (neither whitespace, letter nor number);
/// 5. a whitespace run: all of it at the end of the text, otherwise all but its last character
///    (which then starts the next word, e.g. `"Ġword"`), when that leaves at least one character;
/// 6. otherwise the whole whitespace run (a single whitespace character before a non-space).
///
/// Character classes follow the `regex` module: `\s` is `White_Space` (U+001C–U+001F are not
/// whitespace), `\p{L}`/`\p{N}` are the L* and N* general categories (see `ScalarClass`).
public struct GPT2PreTokenizer: PreTokenizer {
    /// When true, a space is conceptually prepended to text that does not start with whitespace
    /// (HF `add_prefix_space`); implemented by ``Tokenizer``, which owns the text buffer.
    public var addPrefixSpace: Bool

    /// Creates the pre-tokenizer.
    public init(addPrefixSpace: Bool = false) {
        self.addPrefixSpace = addPrefixSpace
    }

    /// Appends the byte ranges of the pattern's matches; together they cover `text` exactly.
    public func split(_ text: UnsafeBufferPointer<UInt8>, into words: inout [Range<Int>]) {
        let n = text.count
        var i = 0
        while i < n {
            let end = GPT2PreTokenizer.matchEnd(text, from: i)
            words.append(i..<end)
            i = end
        }
    }

    /// End of the match starting at `i` (always > `i`).
    @inline(__always)
    static func matchEnd(_ p: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        let n = p.count
        let b0 = p[i]
        // 1. contractions: 's 't 're 've 'm 'll 'd (lower case only)
        if b0 == 0x27, i + 1 < n {
            let b1 = p[i + 1]
            switch b1 {
            case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
                return i + 2
            case UInt8(ascii: "r"), UInt8(ascii: "v"):
                if i + 2 < n && p[i + 2] == UInt8(ascii: "e") { return i + 3 }
            case UInt8(ascii: "l"):
                if i + 2 < n && p[i + 2] == UInt8(ascii: "l") { return i + 3 }
            default:
                break
            }
        }
        // 2-4. optional space then a run of one class
        var start = i
        var (value, length) = decodeScalar(p, i)
        var cls = ScalarClass.of(value)
        if b0 == 0x20 && i + 1 < n {
            let (nextValue, nextLength) = decodeScalar(p, i + 1)
            let nextClass = ScalarClass.of(nextValue)
            if nextClass != .whitespace {
                start = i + 1
                value = nextValue
                length = nextLength
                cls = nextClass
            }
        }
        if cls != .whitespace {
            var j = start + length
            while j < n {
                let (v, l) = decodeScalar(p, j)
                if ScalarClass.of(v) != cls { break }
                j += l
            }
            return j
        }
        // 5-6. whitespace run starting at i
        var j = i + length
        var lastLength = length
        while j < n {
            let (v, l) = decodeScalar(p, j)
            if ScalarClass.of(v) != .whitespace { break }
            j += l
            lastLength = l
        }
        if j == n { return j }                       // \s+(?!\S) at end of text
        if j - lastLength > i { return j - lastLength }  // \s+(?!\S) leaving the last one
        return j                                      // \s+
    }
}

/// A token that exists outside the model's own vocabulary segmentation: DeBERTa's `[CLS]`,
/// `[SEP]`, `[PAD]`, `[UNK]`, `[MASK]`, and any other token a folder adds.
///
/// When text is encoded with special-token splitting on (the Hugging Face behaviour), occurrences
/// of ``content`` in the text become this token; `stripLeft` / `stripRight` also swallow the
/// whitespace before / after it (HF's `lstrip` / `rstrip`; DeBERTa v1's `[MASK]` has `lstrip`).
public struct AddedToken: Sendable, Equatable {
    /// The literal text of the token, e.g. `"[MASK]"`.
    public var content: String
    /// Its id.
    public var id: Int
    /// Whether it is a special token (skipped by `decode(_:skipSpecialTokens: true)`).
    public var isSpecial: Bool
    /// Whether whitespace before it is absorbed when splitting text.
    public var stripLeft: Bool
    /// Whether whitespace after it is absorbed when splitting text.
    public var stripRight: Bool

    /// Creates an added token.
    public init(content: String, id: Int, isSpecial: Bool = true, stripLeft: Bool = false, stripRight: Bool = false) {
        self.content = content
        self.id = id
        self.isSpecial = isSpecial
        self.stripLeft = stripLeft
        self.stripRight = stripRight
    }
}

/// The ids of DeBERTa's five special tokens, read from the tokenizer files.
public struct SpecialTokenIds: Sendable, Equatable {
    /// `[PAD]`: padding (0 in released models).
    public var pad: Int
    /// `[CLS]`: start of every input (1 in released models).
    public var cls: Int
    /// `[SEP]`: end of each segment (2 in released models).
    public var sep: Int
    /// `[UNK]`: unknown token (3 in released models).
    public var unk: Int
    /// `[MASK]`: the masked-language-model token (50264 for v1, the piece count for v2/v3).
    public var mask: Int

    /// Creates the set.
    public init(pad: Int, cls: Int, sep: Int, unk: Int, mask: Int) {
        self.pad = pad
        self.cls = cls
        self.sep = sep
        self.unk = unk
        self.mask = mask
    }
}

/// Splits text around literal added-token strings, as Hugging Face tokenizers do before encoding.
struct AddedTokenSplitter: Sendable {
    enum Chunk: Equatable {
        case text(Range<Int>)
        case token(id: Int32, range: Range<Int>)
    }

    private let tokens: [(bytes: [UInt8], token: AddedToken)]
    private let firstBytes: [Bool]

    init(tokens: [AddedToken]) {
        // Longest first, so that a token that is a prefix of another never wins over it.
        let sorted = tokens.filter { !$0.content.isEmpty }.sorted { $0.content.utf8.count > $1.content.utf8.count }
        self.tokens = sorted.map { (Array($0.content.utf8), $0) }
        var first = [Bool](repeating: false, count: 256)
        for (bytes, _) in self.tokens { first[Int(bytes[0])] = true }
        firstBytes = first
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// Python `str.isspace` (what HF uses when stripping around added tokens): the White_Space
    /// property plus U+001C–U+001F.
    private static func isPythonSpace(_ value: UInt32) -> Bool {
        (0x1C...0x1F).contains(value) || ScalarClass.of(value) == .whitespace
    }

    /// Leftmost-longest matches, non-overlapping, scanning left to right.
    func split(_ text: UnsafeBufferPointer<UInt8>) -> [Chunk] {
        var chunks: [Chunk] = []
        var textStart = 0
        var i = 0
        let n = text.count
        while i < n {
            guard firstBytes[Int(text[i])], let match = matchAt(text, i) else {
                i += 1
                continue
            }
            var left = i
            if match.token.stripLeft {
                while left > textStart {
                    // Step back one scalar.
                    var k = left - 1
                    while k > textStart && text[k] & 0xC0 == 0x80 { k -= 1 }
                    let (value, _) = decodeScalar(text, k)
                    guard AddedTokenSplitter.isPythonSpace(value) else { break }
                    left = k
                }
            }
            var right = i + match.bytes.count
            let tokenEnd = right
            if match.token.stripRight {
                while right < n {
                    let (value, length) = decodeScalar(text, right)
                    guard AddedTokenSplitter.isPythonSpace(value) else { break }
                    right += length
                }
            }
            if left > textStart { chunks.append(.text(textStart..<left)) }
            chunks.append(.token(id: Int32(match.token.id), range: i..<tokenEnd))
            textStart = right
            i = right
        }
        if textStart < n { chunks.append(.text(textStart..<n)) }
        return chunks
    }

    private func matchAt(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> (bytes: [UInt8], token: AddedToken)? {
        for candidate in tokens where candidate.bytes.count <= text.count - i {
            var equal = true
            for k in 0..<candidate.bytes.count where text[i + k] != candidate.bytes[k] {
                equal = false
                break
            }
            if equal { return candidate }
        }
        return nil
    }
}

import DeBERTaPythonCompat
import DeBERTaTokenizers

/// The token strings of pretraining data and their ids: the view of a tokenizer that the original
/// `SPMTokenizer` / `GPT2Tokenizer` give the masking code (`vocab`, `part_of_whole_word`).
///
/// Ids run `0 ..< count` in vocabulary order (the pieces, then `[MASK]`), so the original's
/// `rng.choice(list(vocab.keys()))` is the id `randbelow(count)`.
public struct PieceVocabulary: Sendable {
    /// How the original decides that a token continues the previous word (whole-word masking).
    public enum WordRule: Sendable {
        /// SentencePiece: the piece does not start with `▁` (and is not a lone space, control or
        /// punctuation character, nor a special token).
        case sentencePiece
        /// GPT-2 byte-level BPE: the token's text does not start with a space.
        case byteLevel
    }

    public let tokenizer: Tokenizer
    /// Number of ids a random replacement is drawn from (the tokenizer's vocabulary incl. `[MASK]`).
    public let count: Int
    public let maskId: Int32
    public let clsId: Int32
    public let sepId: Int32
    public let padId: Int32
    public let unkId: Int32
    public let rule: WordRule
    /// The strings the original never masks: `[MASK] [CLS] [SEP] [PAD] [UNK]`.
    public static let specialPieces: Set<String> = ["[MASK]", "[CLS]", "[SEP]", "[PAD]", "[UNK]"]

    public init(tokenizer: Tokenizer) {
        self.tokenizer = tokenizer
        count = tokenizer.vocabularySize
        let s = tokenizer.specialTokenIds
        maskId = Int32(s.mask)
        clsId = Int32(s.cls)
        sepId = Int32(s.sep)
        padId = Int32(s.pad)
        unkId = Int32(s.unk)
        rule = tokenizer.kind == .sentencePiece ? .sentencePiece : .byteLevel
    }

    /// The id of a token string; nil when it is not in the vocabulary.
    public func id(_ piece: String) -> Int32? {
        switch piece {
        case "[CLS]": return clsId
        case "[SEP]": return sepId
        case "[MASK]": return maskId
        case "[PAD]": return padId
        case "[UNK]": return unkId
        default: return tokenizer.id(for: piece).map { Int32($0) }
        }
    }

    /// The string of an id (`[UNK]`-style names for the special tokens).
    public func piece(_ id: Int) -> String { tokenizer.token(for: id) ?? "[UNK]" }

    /// `part_of_whole_word(token)` of the original tokenizers.
    public func isPartOfWholeWord(_ token: String) -> Bool {
        if Self.specialPieces.contains(token) { return false }
        switch rule {
        case .sentencePiece:
            let scalars = token.unicodeScalars
            if scalars.count == 1, let c = scalars.first,
               PythonText.isBertWhitespace(c) || PythonText.isBertControl(c) || PythonText.isBertPunctuation(c) {
                return false
            }
            return !token.hasPrefix("\u{2581}")
        case .byteLevel:
            guard let id = tokenizer.id(for: token) else { return false }
            let text = tokenizer.decode([id], skipSpecialTokens: false)
            let scalars = text.unicodeScalars
            if scalars.count == 1, let c = scalars.first,
               PythonText.isBertWhitespace(c) || PythonText.isBertControl(c) || PythonText.isBertPunctuation(c) {
                return false
            }
            return !text.hasPrefix(" ")
        }
    }
}

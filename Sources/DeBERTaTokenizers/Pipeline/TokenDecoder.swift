/// The last stage, run backwards: turns ids into text.
public protocol TokenDecoder: Sendable {
    /// Decodes `ids`; when `skipSpecialTokens` is true, special tokens (`[CLS]`, `[SEP]`,
    /// `[PAD]`, `[UNK]`, `[MASK]`, control pieces) produce nothing. Out-of-range ids produce nothing.
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String
}

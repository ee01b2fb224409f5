/// Per-thread scratch state of a ``TokenizationModel`` (buffers, word caches).
///
/// A workspace is used by one thread at a time; ``Tokenizer`` keeps a pool of them.
public protocol TokenizationWorkspace: AnyObject {}

/// Stage 3 of a tokenizer: turns one word into token ids (BPE merges, unigram Viterbi).
public protocol TokenizationModel: Sendable {
    /// Number of ids the model itself defines (added tokens beyond it are not counted).
    var vocabularySize: Int { get }

    /// Creates scratch state for one thread.
    func makeWorkspace() -> TokenizationWorkspace

    /// Appends the tokens of `text[word]`; spans are byte ranges in `text`.
    func tokenize(_ text: UnsafeBufferPointer<UInt8>, word: Range<Int>, into output: inout [TokenSpan],
                  workspace: TokenizationWorkspace)
}

/// Stage 1 of a tokenizer: rewrites the input text before it is split into words.
///
/// SentencePiece models normalise (NFKC-like character map, whitespace handling, `▁` escaping);
/// GPT-2 byte-level BPE has no normaliser.
public protocol Normalizer: Sendable {
    /// Normalises `input` (UTF-8) into `output`, which the caller has emptied.
    /// `output.origins` must end up with `output.bytes.count + 1` entries.
    func normalize(_ input: UnsafeBufferPointer<UInt8>, into output: inout NormalizedText)
}

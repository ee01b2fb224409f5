/// Stage 2 of a tokenizer: splits normalised text into words that the model encodes one by one.
public protocol PreTokenizer: Sendable {
    /// Appends the byte ranges of the words of `text`, in order, covering the words to encode.
    func split(_ text: UnsafeBufferPointer<UInt8>, into words: inout [Range<Int>])
}

import Foundation

extension Tokenizer {
    /// Loads DeBERTa v1's original `bpe_encoder.bin` (TEMPORARY: awaiting the Checkpoint unpickler).
    public convenience init(bpeEncoderFile url: URL, metadataDirectory: URL? = nil) throws {
        throw TokenizerError.unsupported(path: url.path, reason: "bpe_encoder.bin loading is not available yet")
    }
}

import Foundation
import DeBERTaTokenizers

/// Loads the tokenizer named by `--vocab_path` / `--vocab_type` as the original app accepts them.
public enum TokenizerLoading {
    /// Files copied beside a saved model so that its folder is self-contained.
    static let companionFiles = ["spm.model", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
                                 "vocab.json", "merges.txt", "bpe_encoder.bin", "tokenizer.json"]

    /// The tokenizer at `path` (a folder, an `spm.model`, a `bpe_encoder.bin` or a `tokenizer.json`;
    /// `type` `spm`/`gpt2` settles an ambiguous file) and the files to copy into saved model folders.
    public static func load(_ path: URL, type: String? = nil) throws -> (tokenizer: Tokenizer, files: [URL]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
            throw PretrainingError.file(path.path, "no such tokenizer file or folder")
        }
        if isDirectory.boolValue {
            let tokenizer = try Tokenizer.load(directory: path)
            return (tokenizer, companionFiles.map { path.appendingPathComponent($0) }.filter { FileManager.default.fileExists(atPath: $0.path) })
        }
        let kind = type?.lowercased() ?? (path.pathExtension == "model" ? "spm" : path.pathExtension == "json" ? "json" : "gpt2")
        switch kind {
        case "spm": return (try Tokenizer(sentencePieceModel: path), [path])
        case "json": return (try Tokenizer(tokenizerJSON: path), [path])
        case "gpt2", "bpe": return (try Tokenizer(bpeEncoderFile: path), [path])
        default: throw PretrainingError.invalidOption("unknown --vocab_type \(kind) (spm or gpt2)")
        }
    }
}

import Foundation

extension Tokenizer {
    /// Loads the tokenizer in a folder, choosing the kind from the files present:
    ///
    /// 1. `spm.model` (or exactly one other `*.model`): SentencePiece (DeBERTa v2/v3, original or HF);
    /// 2. `vocab.json` + `merges.txt`: byte-level BPE, Hugging Face layout (DeBERTa v1);
    /// 3. `bpe_encoder.bin`: byte-level BPE, original DeBERTa release;
    /// 4. `tokenizer.json`: a Hugging Face fast-tokenizer file (either kind).
    ///
    /// When several are present, `vocab_type` in `tokenizer_config.json` (`"spm"` / `"gpt2"`)
    /// decides between the two kinds; within a kind the order above is used, since the original
    /// files define the reference behaviour. `special_tokens_map.json`, `added_tokens.json` and
    /// `tokenizer_config.json` are read when present.
    ///
    /// - Throws: ``TokenizerError`` naming the folder or file and what is wrong.
    public static func load(directory: URL) throws -> Tokenizer {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TokenizerError.fileUnreadable(path: directory.path, reason: "no such folder")
        }
        let names = Set((try? fm.contentsOfDirectory(atPath: directory.path)) ?? [])
        let metadata = try FolderMetadata(directory: directory)
        let file = { (name: String) in directory.appendingPathComponent(name) }

        var sentencePieceFile: String? = names.contains("spm.model") ? "spm.model" : nil
        if sentencePieceFile == nil {
            let models = names.filter { $0.hasSuffix(".model") }.sorted()
            if models.count == 1 { sentencePieceFile = models[0] }
        }
        let hasVocabularyMerges = names.contains("vocab.json") && names.contains("merges.txt")
        let hasEncoderBin = names.contains("bpe_encoder.bin")
        let hasTokenizerJSON = names.contains("tokenizer.json")
        let wantsBPE = metadata.vocabularyType == "gpt2"

        if let sentencePieceFile, !(wantsBPE && (hasVocabularyMerges || hasEncoderBin)) {
            return try Tokenizer(sentencePieceModel: file(sentencePieceFile), metadataDirectory: directory)
        }
        if hasVocabularyMerges {
            return try Tokenizer(vocabularyFile: file("vocab.json"), mergesFile: file("merges.txt"), metadataDirectory: directory)
        }
        if hasEncoderBin {
            return try Tokenizer(bpeEncoderFile: file("bpe_encoder.bin"), metadataDirectory: directory)
        }
        if hasTokenizerJSON {
            return try Tokenizer(tokenizerJSON: file("tokenizer.json"), metadataDirectory: directory)
        }
        let listing = names.isEmpty ? "the folder is empty" : "found: " + names.sorted().prefix(20).joined(separator: ", ")
        throw TokenizerError.unrecognizedFolder(
            path: directory.path,
            reason: "no tokenizer files (expected spm.model, vocab.json + merges.txt, bpe_encoder.bin or tokenizer.json); \(listing)")
    }
}

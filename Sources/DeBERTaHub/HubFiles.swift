import Foundation

/// Which files of a repository a caller needs.
///
/// The hub module knows file names, not models: these are the names the model and tokenizer
/// loaders read (`DeBERTaModel.load(from:)`, `Tokenizer.load(directory:)`).
public struct HubFiles: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `config.json` only (`deberta bench --config`).
    public static let configuration = HubFiles(rawValue: 1)
    /// `config.json` and one set of weights (`model.safetensors`, else its sharded form, else
    /// `pytorch_model.bin`, else its sharded form); the tokenizer files the repository has come along,
    /// being small and read beside the model by most callers.
    public static let model = HubFiles(rawValue: 3)
    /// The tokenizer files only (`spm.model`, `vocab.json` + `merges.txt`, `bpe_encoder.bin`,
    /// `tokenizer.json`, and `tokenizer_config.json`, `special_tokens_map.json`, `added_tokens.json`).
    public static let tokenizer = HubFiles(rawValue: 4)

    /// Weight files, best first: safetensors before pickles, one file before shards.
    public static let weightFiles = ["model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json"]
    /// The files that hold a tokenizer's vocabulary (any one will do).
    public static let tokenizerVocabularyFiles = ["spm.model", "vocab.json", "merges.txt", "bpe_encoder.bin", "tokenizer.json"]
    /// The tokenizer's settings, read when present.
    public static let tokenizerMetadataFiles = ["tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"]

    /// The files to download from a repository whose files are `available`; the shards an index names
    /// are added once the index is read (``shards(index:)``).
    ///
    /// - Throws: ``HubError/notAModel(repository:revision:missing:)`` when a required file is absent.
    func select(from available: Set<String>, repository: String, revision: String) throws -> [String] {
        var files: [String] = []
        if contains(.configuration) {
            guard available.contains("config.json") else { throw HubError.notAModel(repository: repository, revision: revision, missing: "config.json") }
            files.append("config.json")
        }
        if contains(.model) {
            guard let weights = Self.weightFiles.first(where: available.contains) else {
                throw HubError.notAModel(repository: repository, revision: revision, missing: "weights (\(Self.weightFiles.joined(separator: ", ")))")
            }
            files.append(weights)
        }
        if contains(.model) || contains(.tokenizer) {
            let vocabulary = Self.tokenizerVocabularyFiles.filter(available.contains)
            if contains(.tokenizer) && !Self.hasTokenizer(vocabulary) {
                throw HubError.notAModel(repository: repository, revision: revision, missing: "tokenizer files (spm.model, vocab.json + merges.txt, bpe_encoder.bin or tokenizer.json)")
            }
            files += vocabulary + Self.tokenizerMetadataFiles.filter(available.contains)
        }
        return files
    }

    private static func hasTokenizer(_ names: [String]) -> Bool {
        names.contains("spm.model") || names.contains("bpe_encoder.bin") || names.contains("tokenizer.json")
            || (names.contains("vocab.json") && names.contains("merges.txt"))
    }

    /// The shard files a `*.index.json` names (`weight_map`'s values).
    static func shards(index: URL) throws -> [String] {
        let data = try Data(contentsOf: index)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = object["weight_map"] as? [String: String] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(index.lastPathComponent) has no weight_map"])
        }
        let names = Array(Set(map.values)).sorted()
        // Shards lie beside their index; a name that climbs out of the snapshot is refused.
        if let bad = names.first(where: { $0.isEmpty || $0.hasPrefix("/") || $0.split(separator: "/").contains("..") }) {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(index.lastPathComponent) names a shard outside its folder: \(bad)"])
        }
        return names
    }

    /// What a folder lacks of these files, in words (empty when it has them all): an original release
    /// folder (`model_config.json`, `pytorch.model.bin`) counts, and so does a sharded checkpoint
    /// whose every shard is present.
    public func missing(in folder: URL) -> [String] {
        let fm = FileManager.default
        let has = { (name: String) in fm.fileExists(atPath: folder.appendingPathComponent(name).path) }
        var missing: [String] = []
        if contains(.configuration) && !has("config.json") && !has("model_config.json") { missing.append("config.json") }
        if contains(.model) {
            let single = ["model.safetensors", "pytorch_model.bin", "pytorch.model.bin"].contains(where: has)
            let sharded = ["model.safetensors.index.json", "pytorch_model.bin.index.json"].contains { name in
                guard has(name), let shards = try? Self.shards(index: folder.appendingPathComponent(name)) else { return false }
                return shards.allSatisfy(has)
            }
            if !single && !sharded { missing.append("weights (model.safetensors or pytorch_model.bin)") }
        }
        if contains(.tokenizer) {
            let names = Set((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).filter(has)
            if !Self.hasTokenizer(Array(names)) && !names.contains(where: { $0.hasSuffix(".model") }) {
                missing.append("tokenizer files (spm.model, vocab.json + merges.txt, bpe_encoder.bin or tokenizer.json)")
            }
        }
        return missing
    }
}

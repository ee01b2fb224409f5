import Foundation

// Loading by name: a folder, a hub id `org/name[@revision]`, or one of the original's short names
// (`v3-base`), resolved by `ModelResolver` through huggingface_hub's cache and downloaded when absent.

extension DeBERTaModel {
    /// Loads a model by name: a model folder, a hub id (`microsoft/deberta-v3-base`,
    /// `org/name@revision`) or one of the original DeBERTa code's short names (`v3-base`,
    /// `base-mnli`). Hub models come from huggingface_hub's cache, downloaded into it when absent.
    ///
    /// ```swift
    /// let (model, _) = try await DeBERTaModel.load(pretrained: "microsoft/deberta-v3-base")
    /// ```
    ///
    /// - Parameters:
    ///   - name: see ``ModelResolver``; a weight file given by its path loads its folder.
    ///   - head: as in ``DeBERTaModel/load(from:head:newHeadSeed:)``.
    ///   - newHeadSeed: as in ``DeBERTaModel/load(from:head:newHeadSeed:)``.
    ///   - hub: the hub, cache, token and offline mode (by default from the environment: `HF_ENDPOINT`,
    ///     `HF_HUB_CACHE`, `HF_TOKEN`, `HF_HUB_OFFLINE`, …).
    /// - Throws: ``HubError`` (not found, gated, offline and not cached, …), then the loader's errors.
    public static func load(pretrained name: String, head: HeadKind? = nil, newHeadSeed: UInt64? = nil,
                            hub: HubConfiguration = .environment()) async throws -> (model: DeBERTaModel, report: LoadReport) {
        let folder = try await ModelResolver(configuration: hub).resolve(name, files: .model).folder
        return try load(from: folder, head: head, newHeadSeed: newHeadSeed)
    }
}

extension Tokenizer {
    /// Loads a tokenizer by name (a folder, a hub id or a short name, as
    /// ``DeBERTaModel/load(pretrained:head:newHeadSeed:hub:)``), downloading only the tokenizer files.
    ///
    /// ```swift
    /// let tokenizer = try await Tokenizer.load(pretrained: "microsoft/deberta-v3-base")
    /// ```
    public static func load(pretrained name: String, hub: HubConfiguration = .environment()) async throws -> Tokenizer {
        try load(directory: try await ModelResolver(configuration: hub).resolve(name, files: .tokenizer).folder)
    }
}

extension TextClassifier {
    /// A classifier from a model and tokenizer found by name (a folder, a hub id or a short name, as
    /// ``DeBERTaModel/load(pretrained:head:newHeadSeed:hub:)``).
    ///
    /// ```swift
    /// let classifier = try await TextClassifier(pretrained: "microsoft/deberta-large-mnli")
    /// let scores = try classifier.classify("A soccer game.", pair: "Some men are playing a sport.")
    /// ```
    public init(pretrained name: String, maxLength: Int? = nil, hub: HubConfiguration = .environment()) async throws {
        let resolved = try await ModelResolver(configuration: hub).resolve(name, files: [.model, .tokenizer])
        let (model, _) = try DeBERTaModel.load(from: resolved.folder)
        try self.init(model: model, tokenizer: try Tokenizer.load(directory: resolved.folder), maxLength: maxLength, folder: name)
    }
}

extension FillMask {
    /// A mask filler from a masked-LM model and its tokenizer found by name (a folder, a hub id or a
    /// short name, as ``DeBERTaModel/load(pretrained:head:newHeadSeed:hub:)``).
    public init(pretrained name: String, hub: HubConfiguration = .environment()) async throws {
        let resolved = try await ModelResolver(configuration: hub).resolve(name, files: [.model, .tokenizer])
        let (model, _) = try DeBERTaModel.load(from: resolved.folder)
        try self.init(model: model, tokenizer: try Tokenizer.load(directory: resolved.folder), folder: name)
    }
}

import Foundation

/// What ``DeBERTaConfiguration/merged(checkpoint:overrides:)`` did.
public struct ConfigurationMerge: Sendable, Equatable {
    /// The merged configuration, validated.
    public var configuration: DeBERTaConfiguration
    /// Fields the override file changed (its names), sorted.
    public var changed: [String]
    /// Shape fields the override file gives differently, which keep the checkpoint's value (the
    /// weights have that shape), sorted.
    public var keptFromCheckpoint: [String]
}

extension DeBERTaConfiguration {
    /// The fields of the model's shape, which an override file cannot change when the checkpoint's
    /// configuration has them (≥ 0): the original's `NNModule.load_model` keeps exactly these.
    public static let shapeFields = ["hidden_size", "intermediate_size", "num_attention_heads", "num_hidden_layers",
                                     "vocab_size", "max_position_embeddings"]

    /// A checkpoint's configuration with the fields of an override file laid over it, as the
    /// original app's `--model_config` does with `--init_model` (`NNModule.load_model`): every field
    /// the file gives replaces the checkpoint's, except the shape fields (``shapeFields``), which
    /// keep the checkpoint's value unless it lacks them or has a negative one. Fields the file does
    /// not give stay as they are. The original's GLUE `config.json` gives only
    /// `"pooling": {"dropout": 0, "hidden_act": "gelu"}`.
    ///
    /// The original's own file names are read in both files: `pooling.{hidden_size,dropout,hidden_act}`
    /// (transformers' `pooler_hidden_size`, `pooler_dropout`, `pooler_hidden_act`) and `padding_idx`
    /// (`pad_token_id`); a field given either way in the override file wins over both spellings in
    /// the checkpoint's.
    ///
    /// Unlike the original, fields the override file does not name are not reset to the defaults of
    /// the original's `ModelConfig` constructor (`hidden_act`, both dropouts, `type_vocab_size`,
    /// `initializer_range`, `layer_norm_eps`, `padding_idx`): on every released checkpoint those
    /// defaults equal the checkpoint's values, and where they do not (a `type_vocab_size` of 2, say)
    /// resetting them would silently drop trained weights.
    public static func merged(checkpoint: URL, overrides: URL) throws -> ConfigurationMerge {
        var base = try jsonObject(checkpoint)
        var overlay = try jsonObject(overrides)
        // The override file's original spellings also set transformers' names, which the decoder
        // prefers, so that they win over either spelling in the checkpoint's file.
        if let pooling = overlay["pooling"] as? [String: Any] {
            for (field, name) in [("hidden_size", "pooler_hidden_size"), ("dropout", "pooler_dropout"), ("hidden_act", "pooler_hidden_act")] {
                if let v = pooling[field], overlay[name] == nil { overlay[name] = v }
            }
        }
        if let v = overlay["padding_idx"], overlay["pad_token_id"] == nil { overlay["pad_token_id"] = v }
        var changed: [String] = [], kept: [String] = []
        for (key, value) in overlay {
            let current = base[key]
            let same = current.map { canonical($0) == canonical(value) } ?? false
            if shapeFields.contains(key), let current, !((current as? NSNumber).map { $0.doubleValue < 0 } ?? false) {
                if !same { kept.append(key) }
                continue
            }
            if !same { changed.append(key) }
            base[key] = value
        }
        let data = try JSONSerialization.data(withJSONObject: base)
        var configuration: DeBERTaConfiguration
        do { configuration = try JSONDecoder().decode(DeBERTaConfiguration.self, from: data) } catch {
            throw ModelError.file(overrides.path, "the configuration merged into \(checkpoint.path) is invalid: \(error)")
        }
        try configuration.validate(file: "\(checkpoint.path) merged with \(overrides.path)")
        return ConfigurationMerge(configuration: configuration, changed: changed.sorted(), keptFromCheckpoint: kept.sorted())
    }

    /// A JSON value's text with sorted keys, to compare values of either file.
    static func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys])
    }

    /// The JSON object in `url`.
    static func jsonObject(_ url: URL) throws -> [String: Any] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelError.file(url.path, "cannot read configuration: \(error.localizedDescription)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ModelError.file(url.path, "a configuration must be a JSON object")
        }
        return object
    }
}

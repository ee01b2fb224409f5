import DeBERTaCheckpoint
import DeBERTaModeling
import Foundation
import DeBERTaTensors

/// The model configurations of a pretraining run and the non-strict loading of initial weights.
public enum PretrainingModels {
    /// Configurations from `--model_config`: an RTD file with `generator` and `discriminator` sections
    /// (`rtd_*.json`; `embedding_sharing` must be `gdes`, the only sharing implemented), a single
    /// configuration file, or a shape name. For RTD from a single configuration, the discriminator
    /// uses it and the generator is the same with half the layers (PRETRAINING.md §4).
    public static func configurations(_ spec: String, task: PretrainingTask) throws -> (generator: DeBERTaConfiguration, discriminator: DeBERTaConfiguration?) {
        var single: DeBERTaConfiguration
        if FileManager.default.fileExists(atPath: spec) {
            let url = URL(fileURLWithPath: spec)
            let data: Data
            do { data = try Data(contentsOf: url) } catch { throw PretrainingError.file(spec, "cannot read: \(error.localizedDescription)") }
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw PretrainingError.file(spec, "not a JSON object")
            }
            if let g = object["generator"] as? [String: Any], let d = object["discriminator"] as? [String: Any] {
                let sharing = (object["embedding_sharing"] as? String ?? "gdes").lowercased()
                guard sharing == "gdes" else {
                    throw PretrainingError.file(spec, "embedding_sharing '\(sharing)' is not supported (only gdes, gradient-disentangled sharing)")
                }
                let generator = try decode(g, file: spec + " (generator)")
                let discriminator = try decode(d, file: spec + " (discriminator)")
                if task == .mlm { return (generator, nil) }
                return (generator, discriminator)
            }
            single = try decode(object, file: spec)
        } else {
            do { single = try ModelPresets.configuration(spec) } catch {
                throw PretrainingError.file(spec, "neither a configuration file nor a known shape (\(ModelPresets.names.joined(separator: ", ")))")
            }
        }
        if task == .mlm { return (single, nil) }
        var generator = single
        generator.numHiddenLayers = max(1, single.numHiddenLayers / 2)
        return (generator, single)
    }

    static func decode(_ object: [String: Any], file: String) throws -> DeBERTaConfiguration {
        do {
            let data = try JSONSerialization.data(withJSONObject: object)
            let c = try JSONDecoder().decode(DeBERTaConfiguration.self, from: data)
            try c.validate(file: file)
            return c
        } catch let e as ModelError { throw e } catch {
            throw PretrainingError.file(file, "invalid configuration: \(error)")
        }
    }

    /// Checks what pretraining needs of a configuration.
    static func check(_ c: DeBERTaConfiguration, role: String, maxSequenceLength: Int, vocabularySize: Int) throws {
        if !c.positionBiasedInput && c.resolvedEmbeddingSize != c.hiddenSize && role != "discriminator" {
            throw PretrainingError.invalidOption("the \(role)'s Enhanced Mask Decoder needs embedding_size = hidden_size (\(c.resolvedEmbeddingSize) ≠ \(c.hiddenSize))")
        }
        if maxSequenceLength > c.maxPositionEmbeddings {
            throw PretrainingError.invalidOption("--max_seq_len \(maxSequenceLength) exceeds the \(role)'s max_position_embeddings \(c.maxPositionEmbeddings)")
        }
        if vocabularySize > c.vocabSize {
            throw PretrainingError.invalidOption("the tokenizer has \(vocabularySize) ids but the \(role)'s vocab_size is \(c.vocabSize)")
        }
    }

    /// What a non-strict load found.
    public struct InitReport: Sendable {
        public var file: String
        public var loaded: Int
        /// Model parameters the file lacks (or has in another size); they keep their initial values.
        public var missing: [String]
        /// File tensors no parameter used.
        public var unexpected: [String]
        /// GDES residuals stored in the file (`*.word_embeddings._weight`, `*.position_embeddings._weight`).
        public var residuals: [String: StoredTensor]
    }

    /// Loads the tensors of `url` (a model folder or a checkpoint file) into `model` by name, like
    /// PyTorch's `load_state_dict(strict=False)`: matching names with the same number of values are
    /// copied, everything else is reported.
    public static func loadNonStrict(_ model: DeBERTaModel, from url: URL) throws -> InitReport {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw PretrainingError.file(url.path, "no such model folder or checkpoint file")
        }
        let weightsURL = isDirectory.boolValue ? try DeBERTaModel.locateFiles(in: url).weights : url
        let raw = try CheckpointFile.loadTensors(from: weightsURL)
        var residuals: [String: StoredTensor] = [:]
        for (name, t) in raw where name.hasSuffix("._weight") {
            let key = name.hasSuffix("position_embeddings._weight") ? "position" : "word"
            residuals[key] = t
        }
        var tensors = DeBERTaModel.normalizeCheckpointNames(raw)
        var loaded = 0, missing: [String] = []
        for p in model.parameters {
            guard let t = tensors.removeValue(forKey: p.name), t.elementCount == p.value.count else {
                missing.append(p.name)
                continue
            }
            p.assign(t)
            loaded += 1
        }
        return InitReport(file: weightsURL.path, loaded: loaded, missing: missing, unexpected: tensors.keys.sorted(), residuals: residuals)
    }
}

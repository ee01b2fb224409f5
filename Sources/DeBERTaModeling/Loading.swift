import DeBERTaCheckpoint
import Foundation
import DeBERTaTensors

/// What loading a checkpoint found besides the model itself.
public struct LoadReport: Sendable {
    /// The weight file read.
    public var weightsFile: String
    /// Checkpoint tensors the model did not use (real checkpoints carry some, e.g. the absolute
    /// position table or a pretraining head).
    public var unexpected: [String]
    /// Head parameters the checkpoint lacked (or had in another shape), initialised afresh.
    public var initialized: [String] = []
}

extension DeBERTaModel {
    /// Weight files tried in order of preference (a sharded checkpoint's index last).
    static let weightFiles = ["model.safetensors", "pytorch_model.bin", "pytorch.model.bin", "model.safetensors.index.json", "pytorch_model.bin.index.json"]

    /// Loads a model folder: a Hugging Face folder (`config.json` + `model.safetensors` or
    /// `pytorch_model.bin`) or an original release folder (`model_config.json` + `pytorch.model.bin`).
    ///
    /// The head comes from `head`, else from `architectures` in `config.json` (as transformers' auto
    /// classes), else from the tensors present. Missing or mis-shaped tensors are an error naming them;
    /// unused tensors are listed in the report.
    public static func load(from directory: URL, head: HeadKind? = nil, newHeadSeed: UInt64? = nil) throws -> (model: DeBERTaModel, report: LoadReport) {
        let (configURL, weightsURL) = try locateFiles(in: directory)
        let configuration = try DeBERTaConfiguration.load(from: configURL)
        let raw = try CheckpointFile.loadTensors(from: weightsURL)
        return try load(configuration: configuration, tensors: raw, file: weightsURL.path, head: head, newHeadSeed: newHeadSeed)
    }

    /// The configuration and weight files of a model folder (Hugging Face or original layout).
    public static func locateFiles(in directory: URL) throws -> (configuration: URL, weights: URL) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelError.file(directory.path, "no such model folder")
        }
        guard let configURL = ["config.json", "model_config.json"].map({ directory.appendingPathComponent($0) })
            .first(where: { fm.fileExists(atPath: $0.path) }) else {
            throw ModelError.file(directory.path, "no config.json or model_config.json in the model folder")
        }
        guard let weightsURL = weightFiles.map({ directory.appendingPathComponent($0) })
            .first(where: { fm.fileExists(atPath: $0.path) }) else {
            throw ModelError.file(directory.path, "no weights (looked for \(weightFiles.joined(separator: ", ")))")
        }
        return (configURL, weightsURL)
    }

    /// Builds a model from checkpoint tensors under any of the names checkpoints use
    /// (normalised by ``normalizeCheckpointNames(_:)``).
    ///
    /// With `newHeadSeed`, head parameters the checkpoint lacks or has in another shape (a pretrained
    /// backbone, or an MNLI classifier reused for a 2-way task) are initialised afresh from that seed.
    public static func load(configuration: DeBERTaConfiguration, tensors raw: [String: StoredTensor], file: String,
                            head requested: HeadKind? = nil, newHeadSeed: UInt64? = nil) throws -> (model: DeBERTaModel, report: LoadReport) {
        let tensors = normalizeCheckpointNames(raw)
        let head = requested ?? inferHead(configuration: configuration, tensors: tensors)
        let fused = tensors["deberta.encoder.layer.0.attention.self.in_proj.weight"] != nil
            || (configuration.isV1 && tensors["deberta.encoder.layer.0.attention.self.query_proj.weight"] == nil)
        let builder = ParameterBuilder(tensors: tensors, file: file, seed: newHeadSeed ?? 0)
        if newHeadSeed != nil { builder.initializeIfAbsent = ["pooler.", "classifier.", "qa_outputs.", "lm_predictions.", "mask_predictions."] }
        let model = try DeBERTaModel(configuration: configuration, head: head, builder: builder, fusedAttention: fused)
        return (model, LoadReport(weightsFile: file, unexpected: builder.unused, initialized: builder.freshlyInitialized))
    }

    /// The head named by `architectures`, else the one whose tensors are present.
    static func inferHead(configuration c: DeBERTaConfiguration, tensors: [String: StoredTensor]) -> HeadKind {
        let labelsFromTensors = tensors["classifier.weight"]?.shape.first
        let numLabels = c.numLabels ?? labelsFromTensors ?? 2
        if let arch = c.architectures?.first, let head = HeadKind(architecture: arch, numLabels: numLabels) { return head }
        if tensors["qa_outputs.weight"] != nil { return .questionAnswering }
        if tensors["pooler.dense.weight"] != nil && tensors["classifier.weight"] != nil {
            return labelsFromTensors == 1 && c.numLabels == nil && c.id2label == nil ? .sequenceClassification(numLabels: 1)
                : .sequenceClassification(numLabels: numLabels)
        }
        if tensors["classifier.weight"] != nil { return .tokenClassification(numLabels: numLabels) }
        if tensors["lm_predictions.lm_head.dense.weight"] != nil { return .maskedLM }
        return .encoderOnly
    }

    /// Maps the names found in released and converted checkpoints onto Hugging Face's
    /// (CHECKPOINTS.md §2–§3): backbone keys without a prefix or with the first release's `bert.`
    /// get `deberta.`; the legacy `cls.predictions.*` MLM head becomes `lm_predictions.lm_head.*`;
    /// buffers and GDES residuals (`*.position_ids`, `*._weight`) are dropped.
    public static func normalizeCheckpointNames(_ tensors: [String: StoredTensor]) -> [String: StoredTensor] {
        var out: [String: StoredTensor] = [:]
        for (name, t) in tensors {
            if name.hasSuffix(".position_ids") || name.hasSuffix("._weight") { continue }
            var n = name
            if n.hasPrefix("bert.") { n = "deberta." + n.dropFirst(5) }
            if n.hasPrefix("embeddings.") || n.hasPrefix("encoder.") { n = "deberta." + n }
            if n.hasPrefix("cls.predictions.") {
                if n.hasPrefix("cls.predictions.decoder.") { continue }
                n = n.replacingOccurrences(of: "cls.predictions.transform.", with: "lm_predictions.lm_head.")
                    .replacingOccurrences(of: "cls.predictions.bias", with: "lm_predictions.lm_head.bias")
            }
            out[n] = t
        }
        return out
    }

    /// The parameters as checkpoint tensors, named as in a Hugging Face state dict, in `dtype`
    /// (`.f32`, or `.f16` / `.bf16` rounded to nearest even).
    public func stateDict(dtype: DType = .f32) -> [String: StoredTensor] {
        var out: [String: StoredTensor] = [:]
        for p in parameters { out[p.name] = StoredTensor(converting: p.value.scalars, shape: p.value.shape, to: dtype) }
        return out
    }
}

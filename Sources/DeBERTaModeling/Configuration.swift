import Foundation
import DeBERTaTensors

/// The hyper-parameters of a DeBERTa model, decoded from a Hugging Face `config.json`
/// (`model_type` `deberta` or `deberta-v2`) or from the original release's `model_config.json`.
///
/// Field names are the files' own; missing fields take the Hugging Face constructor defaults
/// (which are *not* what released checkpoints use, so always read the file).
public struct DeBERTaConfiguration: Codable, Sendable, Equatable {
    /// `deberta` (v1), `deberta-v2` (v2 and v3), or nil for an original `model_config.json`.
    public var modelType: String?
    public var architectures: [String]?
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    /// Per-head width; `hiddenSize / numAttentionHeads` when absent.
    public var attentionHeadSize: Int?
    public var intermediateSize: Int
    public var hiddenAct: String
    public var hiddenDropoutProb: Float
    public var attentionProbsDropoutProb: Float
    public var maxPositionEmbeddings: Int
    public var typeVocabSize: Int
    public var initializerRange: Float
    public var layerNormEps: Float
    public var relativeAttention: Bool
    public var maxRelativePositions: Int
    public var positionBuckets: Int
    /// Relative attention terms: any of `c2p`, `p2c` (and the inert `p2p`).
    public var posAttType: [String]
    public var positionBiasedInput: Bool
    public var shareAttKey: Bool
    public var normRelEbd: String
    public var convKernelSize: Int
    public var convGroups: Int
    public var convAct: String
    public var embeddingSize: Int?
    public var padTokenId: Int
    public var poolerHiddenSize: Int?
    public var poolerDropout: Float
    public var poolerHiddenAct: String
    public var clsDropout: Float?
    public var numLabels: Int?
    public var id2label: [String: String]?
    public var label2id: [String: Int]?
    public var problemType: String?
    public var talkingHead: Bool
    /// transformers ≥ 4.47: `false` selects the `lm_predictions.lm_head.*` MLM head (Microsoft's names).
    public var legacy: Bool?
    public var tieWordEmbeddings: Bool?

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", architectures
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", attentionHeadSize = "attention_head_size"
        case intermediateSize = "intermediate_size", hiddenAct = "hidden_act"
        case hiddenDropoutProb = "hidden_dropout_prob", attentionProbsDropoutProb = "attention_probs_dropout_prob"
        case maxPositionEmbeddings = "max_position_embeddings", typeVocabSize = "type_vocab_size"
        case initializerRange = "initializer_range", layerNormEps = "layer_norm_eps"
        case relativeAttention = "relative_attention", maxRelativePositions = "max_relative_positions"
        case positionBuckets = "position_buckets", posAttType = "pos_att_type"
        case positionBiasedInput = "position_biased_input", shareAttKey = "share_att_key"
        case normRelEbd = "norm_rel_ebd", convKernelSize = "conv_kernel_size", convGroups = "conv_groups"
        case convAct = "conv_act", embeddingSize = "embedding_size", padTokenId = "pad_token_id"
        case paddingIdx = "padding_idx"
        case poolerHiddenSize = "pooler_hidden_size", poolerDropout = "pooler_dropout"
        case poolerHiddenActivation = "pooler_hidden_act", clsDropout = "cls_dropout"
        case numLabels = "num_labels", id2label, label2id, problemType = "problem_type"
        case talkingHead = "talking_head"
        case pooling, legacy
        case tieWordEmbeddings = "tie_word_embeddings"
    }

    /// The original GLUE configs nest the pooler settings: `"pooling": {"hidden_size", "dropout", "hidden_act"}`.
    struct Pooling: Codable {
        var hiddenSize: Int?
        var dropout: Float?
        var hiddenAct: String?
        enum CodingKeys: String, CodingKey { case hiddenSize = "hidden_size", dropout, hiddenAct = "hidden_act" }
    }

    /// A configuration with Hugging Face's defaults for `modelType` (`deberta` or `deberta-v2`).
    public init(modelType: String? = "deberta-v2") {
        let v1 = modelType == "deberta"
        self.modelType = modelType
        vocabSize = v1 ? 50265 : 128100
        hiddenSize = v1 ? 768 : 1536
        numHiddenLayers = v1 ? 12 : 24
        numAttentionHeads = v1 ? 12 : 24
        intermediateSize = v1 ? 3072 : 6144
        hiddenAct = "gelu"
        hiddenDropoutProb = 0.1
        attentionProbsDropoutProb = 0.1
        maxPositionEmbeddings = 512
        typeVocabSize = 0
        initializerRange = 0.02
        layerNormEps = 1e-7
        relativeAttention = false
        maxRelativePositions = -1
        positionBuckets = -1
        posAttType = []
        positionBiasedInput = true
        shareAttKey = false
        normRelEbd = "none"
        convKernelSize = 0
        convGroups = 1
        convAct = "tanh"
        padTokenId = 0
        poolerDropout = 0
        poolerHiddenAct = "gelu"
        talkingHead = false
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decodeIfPresent(String.self, forKey: .modelType)
        self.init(modelType: type ?? "deberta-v2")
        modelType = type
        architectures = try c.decodeIfPresent([String].self, forKey: .architectures)
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? vocabSize
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? hiddenSize
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? numHiddenLayers
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? numAttentionHeads
        attentionHeadSize = try c.decodeIfPresent(Int.self, forKey: .attentionHeadSize)
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? intermediateSize
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? hiddenAct
        hiddenDropoutProb = try c.decodeIfPresent(Float.self, forKey: .hiddenDropoutProb) ?? hiddenDropoutProb
        attentionProbsDropoutProb = try c.decodeIfPresent(Float.self, forKey: .attentionProbsDropoutProb) ?? attentionProbsDropoutProb
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? maxPositionEmbeddings
        typeVocabSize = try c.decodeIfPresent(Int.self, forKey: .typeVocabSize) ?? typeVocabSize
        initializerRange = try c.decodeIfPresent(Float.self, forKey: .initializerRange) ?? initializerRange
        layerNormEps = try c.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? layerNormEps
        relativeAttention = try c.decodeIfPresent(Bool.self, forKey: .relativeAttention) ?? relativeAttention
        maxRelativePositions = try c.decodeIfPresent(Int.self, forKey: .maxRelativePositions) ?? maxRelativePositions
        positionBuckets = try c.decodeIfPresent(Int.self, forKey: .positionBuckets) ?? positionBuckets
        if let list = try? c.decodeIfPresent([String].self, forKey: .posAttType) {
            posAttType = list.map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
        } else if let joined = try c.decodeIfPresent(String.self, forKey: .posAttType) {
            posAttType = joined.lowercased().split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        positionBiasedInput = try c.decodeIfPresent(Bool.self, forKey: .positionBiasedInput) ?? positionBiasedInput
        shareAttKey = try c.decodeIfPresent(Bool.self, forKey: .shareAttKey) ?? shareAttKey
        normRelEbd = try c.decodeIfPresent(String.self, forKey: .normRelEbd) ?? normRelEbd
        convKernelSize = try c.decodeIfPresent(Int.self, forKey: .convKernelSize) ?? convKernelSize
        convGroups = try c.decodeIfPresent(Int.self, forKey: .convGroups) ?? convGroups
        convAct = try c.decodeIfPresent(String.self, forKey: .convAct) ?? convAct
        embeddingSize = try c.decodeIfPresent(Int.self, forKey: .embeddingSize)
        padTokenId = try c.decodeIfPresent(Int.self, forKey: .padTokenId)
            ?? c.decodeIfPresent(Int.self, forKey: .paddingIdx) ?? padTokenId
        let pooling = try c.decodeIfPresent(Pooling.self, forKey: .pooling)
        poolerHiddenSize = try c.decodeIfPresent(Int.self, forKey: .poolerHiddenSize) ?? pooling?.hiddenSize
        poolerDropout = try c.decodeIfPresent(Float.self, forKey: .poolerDropout) ?? pooling?.dropout ?? poolerDropout
        poolerHiddenAct = try c.decodeIfPresent(String.self, forKey: .poolerHiddenActivation) ?? pooling?.hiddenAct ?? poolerHiddenAct
        clsDropout = try c.decodeIfPresent(Float.self, forKey: .clsDropout)
        id2label = try c.decodeIfPresent([String: String].self, forKey: .id2label)
        label2id = try c.decodeIfPresent([String: Int].self, forKey: .label2id)
        numLabels = try c.decodeIfPresent(Int.self, forKey: .numLabels) ?? id2label?.count
        problemType = try c.decodeIfPresent(String.self, forKey: .problemType)
        talkingHead = try c.decodeIfPresent(Bool.self, forKey: .talkingHead) ?? false
        legacy = try c.decodeIfPresent(Bool.self, forKey: .legacy)
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(modelType, forKey: .modelType)
        try c.encodeIfPresent(architectures, forKey: .architectures)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(numHiddenLayers, forKey: .numHiddenLayers)
        try c.encode(numAttentionHeads, forKey: .numAttentionHeads)
        try c.encodeIfPresent(attentionHeadSize, forKey: .attentionHeadSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(hiddenAct, forKey: .hiddenAct)
        try c.encode(hiddenDropoutProb, forKey: .hiddenDropoutProb)
        try c.encode(attentionProbsDropoutProb, forKey: .attentionProbsDropoutProb)
        try c.encode(maxPositionEmbeddings, forKey: .maxPositionEmbeddings)
        try c.encode(typeVocabSize, forKey: .typeVocabSize)
        try c.encode(initializerRange, forKey: .initializerRange)
        try c.encode(layerNormEps, forKey: .layerNormEps)
        try c.encode(relativeAttention, forKey: .relativeAttention)
        try c.encode(maxRelativePositions, forKey: .maxRelativePositions)
        try c.encode(positionBuckets, forKey: .positionBuckets)
        try c.encode(posAttType, forKey: .posAttType)
        try c.encode(positionBiasedInput, forKey: .positionBiasedInput)
        try c.encode(shareAttKey, forKey: .shareAttKey)
        try c.encode(normRelEbd, forKey: .normRelEbd)
        try c.encode(convKernelSize, forKey: .convKernelSize)
        try c.encode(convGroups, forKey: .convGroups)
        try c.encode(convAct, forKey: .convAct)
        try c.encodeIfPresent(embeddingSize, forKey: .embeddingSize)
        try c.encode(padTokenId, forKey: .padTokenId)
        try c.encodeIfPresent(poolerHiddenSize, forKey: .poolerHiddenSize)
        try c.encode(poolerDropout, forKey: .poolerDropout)
        try c.encode(poolerHiddenAct, forKey: .poolerHiddenActivation)
        try c.encodeIfPresent(clsDropout, forKey: .clsDropout)
        try c.encodeIfPresent(numLabels, forKey: .numLabels)
        try c.encodeIfPresent(id2label, forKey: .id2label)
        try c.encodeIfPresent(label2id, forKey: .label2id)
        try c.encodeIfPresent(problemType, forKey: .problemType)
        if talkingHead { try c.encode(talkingHead, forKey: .talkingHead) }
        try c.encodeIfPresent(legacy, forKey: .legacy)
        try c.encodeIfPresent(tieWordEmbeddings, forKey: .tieWordEmbeddings)
    }

    /// Reads and validates a configuration file.
    public static func load(from url: URL) throws -> DeBERTaConfiguration {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelError.file(url.path, "cannot read configuration: \(error.localizedDescription)")
        }
        let config: DeBERTaConfiguration
        do { config = try JSONDecoder().decode(DeBERTaConfiguration.self, from: data) } catch {
            throw ModelError.file(url.path, "invalid configuration JSON: \(error)")
        }
        try config.validate(file: url.path)
        return config
    }

    /// Checks the values the model code relies on: every size against its bounds and the others
    /// (see `ConfigurationLimits.swift`), and that the parameters fit in this machine's memory.
    public func validate(file: String = "configuration") throws {
        func fail(_ m: String) throws -> Never { throw ModelError.file(file, m) }
        for t in posAttType where !["c2p", "p2c", "p2p"].contains(t) {
            try fail("unknown pos_att_type '\(t)' (expected c2p, p2c or p2p)")
        }
        try validateSizes(file: file)
        for (name, act) in [("hidden_act", hiddenAct), ("pooler_hidden_act", poolerHiddenAct), ("conv_act", convAct)]
        where Activation(configName: act) == nil {
            try fail("unknown activation \(name) '\(act)'")
        }
        if convKernelSize > 0 && (convKernelSize % 2 == 0 || hiddenSize % max(convGroups, 1) != 0) {
            try fail("conv_kernel_size \(convKernelSize) must be odd and conv_groups \(convGroups) must divide hidden_size")
        }
        if relativeAttention && relativeSpan <= 0 { try fail("relative attention needs max_relative_positions or max_position_embeddings > 0") }
        try checkParameterMemory(file: file)
    }

    // MARK: Derived values

    /// `d`, the width of one attention head.
    public var headSize: Int { attentionHeadSize ?? hiddenSize / numAttentionHeads }
    /// `E`, the width of the word (and absolute position) embeddings.
    public var resolvedEmbeddingSize: Int { embeddingSize ?? hiddenSize }
    /// `max_relative_positions`, with values < 1 replaced by `max_position_embeddings`.
    public var resolvedMaxRelativePositions: Int { maxRelativePositions < 1 ? maxPositionEmbeddings : maxRelativePositions }
    /// Half the number of rows of the relative embedding table.
    public var relativeSpan: Int { positionBuckets > 0 ? positionBuckets : resolvedMaxRelativePositions }
    public var usesC2P: Bool { relativeAttention && posAttType.contains("c2p") }
    public var usesP2C: Bool { relativeAttention && posAttType.contains("p2c") }
    /// `1 + [c2p] + [p2c]`: every score term is divided by `sqrt(d · scaleFactor)`.
    public var scaleFactor: Int { 1 + (posAttType.contains("c2p") ? 1 : 0) + (posAttType.contains("p2c") ? 1 : 0) }
    public var normalizesRelativeEmbeddings: Bool { normRelEbd.lowercased().split(separator: "|").contains("layer_norm") }
    public var isV1: Bool { modelType == "deberta" }
    public var hiddenActivation: Activation { Activation(configName: hiddenAct) ?? .gelu }
}

/// Errors of model construction and loading.
public enum ModelError: Error, CustomStringConvertible {
    /// A problem with one file.
    case file(String, String)
    /// Checkpoint tensors that do not fit the model.
    case weights(file: String, missing: [String], misshaped: [String])
    /// Invalid input to a forward pass.
    case input(String)

    public var description: String {
        switch self {
        case let .file(f, m): return "\(f): \(m)"
        case let .weights(f, missing, misshaped):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing tensors: " + missing.joined(separator: ", ")) }
            if !misshaped.isEmpty { parts.append("wrong shapes: " + misshaped.joined(separator: ", ")) }
            return "\(f): " + parts.joined(separator: "; ")
        case let .input(m): return "invalid input: \(m)"
        }
    }
}

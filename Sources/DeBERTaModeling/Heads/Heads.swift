import DeBERTaTensors

/// The task heads a DeBERTa backbone can carry, named after Hugging Face's classes.
public enum HeadKind: Equatable, Sendable {
    /// No head: the bare encoder (`DebertaModel`, `DebertaV2Model`).
    case encoderOnly
    /// `lm_predictions.lm_head.*` (Microsoft's checkpoints, transformers with `legacy: false`).
    case maskedLM
    /// ContextPooler + classifier; `numLabels == 1` is regression.
    case sequenceClassification(numLabels: Int)
    case tokenClassification(numLabels: Int)
    case questionAnswering
    case multipleChoice
    /// v3's discriminator head, `mask_predictions.*`.
    case replacedTokenDetection

    /// The head of a Hugging Face architecture name such as `DebertaV2ForSequenceClassification`.
    public init?(architecture: String, numLabels: Int) {
        if architecture.hasSuffix("ForMaskedLM") { self = .maskedLM }
        else if architecture.hasSuffix("ForSequenceClassification") { self = .sequenceClassification(numLabels: numLabels) }
        else if architecture.hasSuffix("ForTokenClassification") { self = .tokenClassification(numLabels: numLabels) }
        else if architecture.hasSuffix("ForQuestionAnswering") { self = .questionAnswering }
        else if architecture.hasSuffix("ForMultipleChoice") { self = .multipleChoice }
        else if architecture.hasSuffix("ForReplacedTokenDetection") || architecture.hasSuffix("ForPreTraining") { self = .replacedTokenDetection }
        else if architecture == "DebertaModel" || architecture == "DebertaV2Model" { self = .encoderOnly }
        else { return nil }
    }

    /// Hugging Face's class name for this head on a v1 (`Deberta`) or v2/v3 (`DebertaV2`) backbone.
    public func architecture(v1: Bool) -> String {
        let base = v1 ? "Deberta" : "DebertaV2"
        switch self {
        case .encoderOnly: return base + "Model"
        case .maskedLM: return base + "ForMaskedLM"
        case .sequenceClassification: return base + "ForSequenceClassification"
        case .tokenClassification: return base + "ForTokenClassification"
        case .questionAnswering: return base + "ForQuestionAnswering"
        case .multipleChoice: return base + "ForMultipleChoice"
        case .replacedTokenDetection: return base + "ForReplacedTokenDetection"
        }
    }
}

/// `ContextPooler` (MODEL.md §13.1): `act(Dropout(X[:, 0]) · Wᵀ + b)`.
final class ContextPooler {
    let dense: Linear
    let activation: Activation
    let dropout: Float

    init(_ b: ParameterBuilder, _ c: DeBERTaConfiguration) {
        let size = c.poolerHiddenSize ?? c.hiddenSize
        dense = Linear(b, "pooler.dense", in: c.hiddenSize, out: size, std: c.initializerRange)
        activation = Activation(configName: c.poolerHiddenAct) ?? .gelu
        dropout = c.poolerDropout
    }

    var outputSize: Int { dense.weight.value.dim(0) }

    func callAsFunction(_ x: Tensor, context: ForwardContext) -> Tensor {
        activate(dense(context.dropout(selectPosition(x, 0), dropout), context: context), activation)
    }
}

/// Masked-LM head (MODEL.md §13.6): `LN(act(X · W_denseᵀ + b)) · WordEmbᵀ + bias`, decoder tied to
/// the word embeddings.
final class MaskedLMHead {
    let dense: Linear
    let norm: LayerNorm
    let bias: Parameter
    let activation: Activation
    /// Copies of the tied decoder weight for inference (see ``Linear``).
    let decoderCache: WeightCache

    init(_ b: ParameterBuilder, _ c: DeBERTaConfiguration) {
        let e = c.resolvedEmbeddingSize
        dense = Linear(b, "lm_predictions.lm_head.dense", in: c.hiddenSize, out: e, std: c.initializerRange)
        norm = LayerNorm(b, "lm_predictions.lm_head.LayerNorm", size: e, eps: c.layerNormEps)
        bias = b.make("lm_predictions.lm_head.bias", [c.vocabSize], .zeros)
        activation = c.hiddenActivation
        decoderCache = b.makeWeightCache()
    }

    /// Logits `[..., V]` of `x` `[..., H]`, the decoder tied to `wordEmbeddings` (the word table of the pass).
    func callAsFunction(_ x: Tensor, wordEmbeddings: Tensor, context: ForwardContext) -> Tensor {
        let h = norm(activate(dense(x, context: context), activation), context: context)
        return linear(h, weight: context.read(wordEmbeddings), bias: context.value(bias), precision: context.precision,
                      cache: context.weightCache(decoderCache))
    }
}

/// Replaced-token-detection head (MODEL.md §13.7): `w · act(W · LN(X_i + X_0) + b) + c`.
final class ReplacedTokenHead {
    let norm: LayerNorm
    let dense: Linear
    let classifier: Linear
    let activation: Activation

    init(_ b: ParameterBuilder, _ c: DeBERTaConfiguration) {
        norm = LayerNorm(b, "mask_predictions.LayerNorm", size: c.hiddenSize, eps: c.layerNormEps)
        dense = Linear(b, "mask_predictions.dense", in: c.hiddenSize, out: c.hiddenSize, std: c.initializerRange)
        classifier = Linear(b, "mask_predictions.classifier", in: c.hiddenSize, out: 1, std: c.initializerRange)
        activation = c.hiddenActivation
    }

    /// Logits `[B, N]`.
    func callAsFunction(_ x: Tensor, context: ForwardContext) -> Tensor {
        let s = activate(dense(norm(addPerBatch(x, selectPosition(x, 0)), context: context), context: context), activation)
        return reshape(classifier(s, context: context), [x.dim(0), x.dim(1)])
    }
}

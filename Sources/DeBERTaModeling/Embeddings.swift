import DeBERTaTensors

/// Input embeddings (MODEL.md §5): word (+ absolute position) (+ token type), an optional
/// projection to the hidden size, LayerNorm, the padding mask, dropout.
public final class Embeddings {
    public let wordEmbeddings: Parameter
    /// Absolute positions: an input term when `position_biased_input`, otherwise used only by the
    /// Enhanced Mask Decoder (present when the checkpoint has it).
    public let positionEmbeddings: Parameter?
    public let tokenTypeEmbeddings: Parameter?
    public let embedProjection: Linear?
    public let layerNorm: LayerNorm
    let config: DeBERTaConfiguration

    /// Gradient-disentangled embedding sharing (GDES, MODEL.md §14): when set, it is called at every
    /// forward pass for the word table to use instead of `wordEmbeddings.value` (the RTD
    /// discriminator's `stopgrad(E_G) + E_Δ`). The masked-LM head's tied decoder uses it too.
    public var wordTableOverride: (() -> Tensor)?
    /// The same for the absolute position table (`positionEmbeddings`), used by the input when
    /// `position_biased_input` and by the Enhanced Mask Decoder.
    public var positionTableOverride: (() -> Tensor)?

    /// The word table of a forward pass: the override's result, else the parameter.
    public var wordTable: Tensor { wordTableOverride?() ?? wordEmbeddings.value }

    /// The absolute position table of a forward pass, if the model has one.
    public var positionTable: Tensor? {
        guard let positionEmbeddings else { return nil }
        return positionTableOverride?() ?? positionEmbeddings.value
    }

    init(_ b: ParameterBuilder, _ prefix: String, _ c: DeBERTaConfiguration, wantsPositionTable: Bool) {
        config = c
        let e = c.resolvedEmbeddingSize
        wordEmbeddings = b.make(prefix + ".word_embeddings.weight", [c.vocabSize, e], .normal(std: c.initializerRange))
        let positionName = prefix + ".position_embeddings.weight"
        positionEmbeddings = c.positionBiasedInput || (wantsPositionTable && (b.tensors == nil || b.contains(positionName)))
            ? b.make(positionName, [c.maxPositionEmbeddings, e], .normal(std: c.initializerRange)) : nil
        tokenTypeEmbeddings = c.typeVocabSize > 0
            ? b.make(prefix + ".token_type_embeddings.weight", [c.typeVocabSize, e], .normal(std: c.initializerRange)) : nil
        embedProjection = e != c.hiddenSize
            ? Linear(b, prefix + ".embed_proj", in: e, out: c.hiddenSize, bias: false, std: c.initializerRange) : nil
        layerNorm = LayerNorm(b, prefix + ".LayerNorm", size: c.hiddenSize, eps: c.layerNormEps)
    }

    /// `[B, N]` ids → `[B, N, H]`; rows where `mask` is 0 are zero.
    func callAsFunction(_ ids: IndexTensor, tokenTypes: IndexTensor?, positions: IndexTensor?, mask: Tensor, context: ForwardContext) -> Tensor {
        var x = embedding(context.read(wordTable), ids, paddingIndex: config.padTokenId)
        if config.positionBiasedInput, let table = positionTable {
            x = x + embedding(context.read(table), positions ?? Self.defaultPositions(ids.shape))
        }
        if let tokenTypeEmbeddings {
            x = x + embedding(context.value(tokenTypeEmbeddings), tokenTypes ?? IndexTensor([Int32](repeating: 0, count: ids.count), shape: ids.shape))
        }
        if let embedProjection { x = embedProjection(x, context: context) }
        x = layerNorm(x, context: context)
        x = scaleRows(x, by: mask)
        return context.dropout(x, config.hiddenDropoutProb)
    }

    /// `0..<N` for every row.
    static func defaultPositions(_ shape: [Int]) -> IndexTensor {
        let n = shape.last ?? 0, rows = shape.dropLast().reduce(1, *)
        return IndexTensor((0..<(rows * n)).map { Int32($0 % n) }, shape: shape)
    }
}

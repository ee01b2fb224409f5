import DeBERTaTensors

/// The stack of layers with the shared relative-position table (MODEL.md §4, §7.4, §11).
public final class DeBERTaEncoder {
    public let layers: [EncoderLayer]
    /// `rel_embeddings` `[2·span, H]`, when relative attention is on.
    let relativeEmbeddings: Parameter?
    /// LayerNorm of the relative table (`norm_rel_ebd: layer_norm`, v2/v3).
    let relativeNorm: LayerNorm?
    let conv: ConvolutionLayer?
    let config: DeBERTaConfiguration

    init(_ b: ParameterBuilder, _ p: String, _ c: DeBERTaConfiguration, fusedAttention: Bool) {
        config = c
        layers = (0..<c.numHiddenLayers).map { EncoderLayer(b, "\(p).layer.\($0)", c, fusedAttention: fusedAttention) }
        relativeEmbeddings = c.relativeAttention
            ? b.make(p + ".rel_embeddings.weight", [2 * c.relativeSpan, c.hiddenSize], .normal(std: c.initializerRange)) : nil
        relativeNorm = c.relativeAttention && c.normalizesRelativeEmbeddings
            ? LayerNorm(b, p + ".LayerNorm", size: c.hiddenSize, eps: c.layerNormEps) : nil
        conv = c.convKernelSize > 0 ? ConvolutionLayer(b, p + ".conv", c) : nil
    }

    /// The rows of the relative table that `queries × keys` attention reaches, as the layers use
    /// them (normalised for v2/v3), and the relative index into those rows.
    func relativeInputs(queries: Int, keys: Int, context: ForwardContext) -> (table: Tensor?, index: IndexTensor?) {
        guard config.relativeAttention, let relativeEmbeddings else { return (nil, nil) }
        func make() -> (table: Tensor?, index: IndexTensor?) {
            let (rows, index) = RelativePosition.activeRows(queries: queries, keys: keys, configuration: config)
            let table = sliceRows(context.value(relativeEmbeddings), rows)
            return (relativeNorm.map { $0(table, context: context) } ?? table, index)
        }
        let sources = [relativeEmbeddings.value] + (relativeNorm.map { [$0.weight.value, $0.bias.value] } ?? [])
        return relativeCache.value(in: context, sources: sources, extra: [queries, keys], make: make)
    }

    /// The table and index of the last inference pass (see ``FrozenCache``).
    private let relativeCache = FrozenCache<(table: Tensor?, index: IndexTensor?)>()

    /// Runs every layer; returns all hidden states `[X0, X1, …, XL]` (X1 after the conv branch) and,
    /// with `attentions`, every layer's attention probabilities `[B, heads, N, N]`.
    func callAsFunction(_ x0: Tensor, masks: AttentionMasks, context: ForwardContext,
                        attentions: Bool = false) -> (states: [Tensor], attentions: [Tensor]?) {
        let n = x0.dim(1)
        let (rel, index) = relativeInputs(queries: n, keys: n, context: context)
        var states = [x0]
        var probabilities: [Tensor] = []
        var x = x0
        for (l, layer) in layers.enumerated() {
            let (output, probs) = layer.forward(x, masks: masks, rel: rel, index: index, context: context, keepProbabilities: attentions)
            x = output
            if let probs { probabilities.append(probs) }
            if l == 0, let conv { x = conv(embeddings: x0, layerOutput: x, mask: masks.tokens, context: context) }
            states.append(x)
        }
        return (states, attentions ? probabilities : nil)
    }
}

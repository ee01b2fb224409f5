import DeBERTaTensors

/// One Transformer layer of DeBERTa (post-LayerNorm):
/// ```
/// y = LN_att(Dropout(Attention(x) · W_o + b_o) + query)
/// z = LN_out(Dropout(act(y · W_1 + b_1) · W_2 + b_2) + y)
/// ```
public final class EncoderLayer {
    public let attention: DisentangledSelfAttention
    let attentionOutput: Linear
    let attentionNorm: LayerNorm
    let intermediate: Linear
    let output: Linear
    let outputNorm: LayerNorm
    let config: DeBERTaConfiguration

    init(_ b: ParameterBuilder, _ p: String, _ c: DeBERTaConfiguration, fusedAttention: Bool) {
        config = c
        let h = c.hiddenSize, a = c.numAttentionHeads * c.headSize, std = c.initializerRange
        attention = DisentangledSelfAttention(b, p + ".attention.self", c, fused: fusedAttention)
        attentionOutput = Linear(b, p + ".attention.output.dense", in: a, out: h, std: std)
        attentionNorm = LayerNorm(b, p + ".attention.output.LayerNorm", size: h, eps: c.layerNormEps)
        intermediate = Linear(b, p + ".intermediate.dense", in: h, out: c.intermediateSize, std: std)
        output = Linear(b, p + ".output.dense", in: c.intermediateSize, out: h, std: std)
        outputNorm = LayerNorm(b, p + ".output.LayerNorm", size: h, eps: c.layerNormEps)
    }

    /// `x` supplies keys and values; `queryStates` (the Enhanced Mask Decoder's queries) the
    /// queries and the attention residual, when given.
    func callAsFunction(_ x: Tensor, queryStates: Tensor? = nil, mask: Tensor, rel: Tensor?, index: IndexTensor?,
                        context: ForwardContext) -> Tensor {
        let query = queryStates ?? x
        let attended = attention(x, queryInput: queryStates, mask: mask, queryMask: mask, rel: rel, index: index, context: context)
        let y = attentionNorm(residualBranch(attentionOutput, attended, plus: query, context))
        let u = intermediate(y, activation: config.hiddenActivation)
        return outputNorm(residualBranch(output, u, plus: y, context))
    }

    /// `Dropout(dense(x)) + residual`; without dropout (inference) the addition happens inside the product.
    private func residualBranch(_ dense: Linear, _ x: Tensor, plus residual: Tensor, _ context: ForwardContext) -> Tensor {
        guard context.training, config.hiddenDropoutProb > 0 else { return dense(x, adding: residual) }
        return context.dropout(dense(x), config.hiddenDropoutProb) + residual
    }
}

/// The convolution branch of DeBERTa v2 ("nGiE", MODEL.md §10), applied once after layer 0:
/// `LN(layer0 + act(Dropout(mask ⊙ Conv1d(embeddings)))) ⊙ mask`.
public final class ConvolutionLayer {
    let weight: Parameter
    let bias: Parameter
    let norm: LayerNorm
    let groups: Int
    let activation: Activation
    let dropoutProbability: Float

    init(_ b: ParameterBuilder, _ p: String, _ c: DeBERTaConfiguration) {
        let h = c.hiddenSize, k = c.convKernelSize, groups = max(c.convGroups, 1)
        weight = b.make(p + ".conv.weight", [h, h / groups, k], .uniformFanIn(h / groups * k))
        bias = b.make(p + ".conv.bias", [h], .uniformFanIn(h / groups * k))
        norm = LayerNorm(b, p + ".LayerNorm", size: h, eps: c.layerNormEps)
        self.groups = groups
        activation = Activation(configName: c.convAct) ?? .tanh
        dropoutProbability = c.hiddenDropoutProb
    }

    func callAsFunction(embeddings: Tensor, layerOutput: Tensor, mask: Tensor, context: ForwardContext) -> Tensor {
        var c = conv1d(embeddings, weight: weight.value, bias: bias.value, groups: groups)
        c = scaleRows(c, by: mask)
        c = activate(context.dropout(c, dropoutProbability), activation)
        return scaleRows(norm(layerOutput + c), by: mask)
    }
}

import DeBERTaTensors

/// One Transformer layer of DeBERTa (post-LayerNorm):
/// ```
/// y = LN_att(Dropout(Attention(x) · W_o + b_o) + query)
/// z = LN_out(Dropout(act(y · W_1 + b_1) · W_2 + b_2) + y)
/// ```
public final class EncoderLayer {
    public let attention: DisentangledSelfAttention
    /// `W_o`, `b_o` and `LN_att`.
    let attentionOutput: ResidualOutput
    let feedForward: FeedForward

    init(_ b: ParameterBuilder, _ p: String, _ c: DeBERTaConfiguration, fusedAttention: Bool) {
        attention = DisentangledSelfAttention(b, p + ".attention.self", c, fused: fusedAttention)
        attentionOutput = ResidualOutput(b, p + ".attention.output", in: c.numAttentionHeads * c.headSize, c)
        feedForward = FeedForward(b, p, c)
    }

    /// `x` supplies keys and values; `queryStates` (the Enhanced Mask Decoder's queries) the
    /// queries and the attention residual, when given.
    func callAsFunction(_ x: Tensor, queryStates: Tensor? = nil, masks: AttentionMasks, rel: Tensor?, index: IndexTensor?,
                        context: ForwardContext) -> Tensor {
        forward(x, queryStates: queryStates, masks: masks, rel: rel, index: index, context: context, keepProbabilities: false).output
    }

    /// The layer's output and, with `keepProbabilities`, its attention probabilities `[B, heads, M, N]`.
    func forward(_ x: Tensor, queryStates: Tensor? = nil, masks: AttentionMasks, rel: Tensor?, index: IndexTensor?,
                 context: ForwardContext, keepProbabilities: Bool) -> (output: Tensor, probabilities: Tensor?) {
        let query = queryStates ?? x
        let (attended, probs) = attention(x, queryInput: queryStates, masks: masks, rel: rel, index: index,
                                          context: context, keepProbabilities: keepProbabilities)
        let y = attentionOutput(attended, residual: query, context: context)
        return (feedForward(y, context: context), probs)
    }
}

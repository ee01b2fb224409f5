import DeBERTaTensors

/// Disentangled self-attention (MODEL.md §8): content-to-content, content-to-position and
/// position-to-content scores, each divided by `sqrt(d · scaleFactor)`, a masked softmax, and
/// the context `Σ_j p_ij V_j`.
public final class DisentangledSelfAttention {
    /// How the content projections are stored.
    enum Projections {
        /// v2/v3 (and v1 in the original package's layout): `query_proj`, `key_proj`, `value_proj`.
        case separate(query: Linear, key: Linear, value: Linear)
        /// v1 (Hugging Face): one `in_proj` `[3A, H]`, rows interleaved per head (q, k, v of head 0,
        /// then head 1, …), plus `q_bias` and `v_bias`.
        case fused(inProj: Parameter, queryBias: Parameter, valueBias: Parameter)
    }

    let projections: Projections
    /// Projects relative embeddings to position keys (c2p): `pos_proj` (v1, no bias) or `pos_key_proj`.
    let positionKey: Linear?
    /// Projects relative embeddings to position queries (p2c): `pos_q_proj` (v1) or `pos_query_proj`.
    let positionQuery: Linear?
    let config: DeBERTaConfiguration
    /// Copies of v1's `in_proj` weight for inference (see ``Linear``), with the fused layout.
    private let inProjCache: WeightCache?

    init(_ b: ParameterBuilder, _ p: String, _ c: DeBERTaConfiguration, fused: Bool) {
        config = c
        let h = c.hiddenSize, a = c.numAttentionHeads * c.headSize, std = c.initializerRange
        inProjCache = fused ? b.makeWeightCache() : nil
        if fused {
            projections = .fused(
                inProj: b.make(p + ".in_proj.weight", [3 * a, h], .normal(std: std)),
                queryBias: b.make(p + ".q_bias", [a], .zeros),
                valueBias: b.make(p + ".v_bias", [a], .zeros))
            positionKey = c.usesC2P ? Linear(b, p + ".pos_proj", in: h, out: a, bias: false, std: std) : nil
            positionQuery = c.usesP2C ? Linear(b, p + ".pos_q_proj", in: h, out: a, std: std) : nil
        } else {
            projections = .separate(
                query: Linear(b, p + ".query_proj", in: h, out: a, std: std),
                key: Linear(b, p + ".key_proj", in: h, out: a, std: std),
                value: Linear(b, p + ".value_proj", in: h, out: a, std: std))
            let own = !c.shareAttKey
            positionKey = own && c.usesC2P ? Linear(b, p + ".pos_key_proj", in: h, out: a, std: std) : nil
            positionQuery = own && c.usesP2C ? Linear(b, p + ".pos_query_proj", in: h, out: a, std: std) : nil
        }
    }

    /// Content projections `(Q, K, V)`, each `[B, N, A]`; queries come from `queryInput`.
    func project(_ x: Tensor, queryInput: Tensor?, context: ForwardContext) -> (Tensor, Tensor, Tensor) {
        switch projections {
        case let .separate(query, key, value):
            return (query(queryInput ?? x, context: context), key(x, context: context), value(x, context: context))
        case let .fused(inProj, queryBias, valueBias):
            let heads = config.numAttentionHeads
            let weight = context.value(inProj), cache = inProjCache.flatMap(context.weightCache)
            func projected(_ input: Tensor) -> [Tensor] {
                splitInterleavedHeads(linear(input, weight: weight, bias: nil, precision: context.precision, cache: cache),
                                      heads: heads, parts: 3)
            }
            let qkv = projected(x)
            let q = queryInput.map { projected($0)[0] } ?? qkv[0]
            return (addBias(q, context.value(queryBias)), qkv[1], addBias(qkv[2], context.value(valueBias)))
        }
    }

    /// Position keys and queries for `rel`; in inference, computed once per table (see ``FrozenCache``).
    func projectPositions(_ rel: Tensor, context: ForwardContext) -> (key: Tensor?, query: Tensor?) {
        positionCache.value(in: context, sources: [rel] + positionWeights, extra: rel.shape) {
            projectPositions(rel, uncachedIn: context)
        }
    }

    private let positionCache = FrozenCache<(key: Tensor?, query: Tensor?)>()

    /// The weights ``projectPositions(_:context:)`` reads.
    var positionWeights: [Tensor] {
        var linears: [Linear] = []
        if config.shareAttKey, case let .separate(q, k, _) = projections {
            if config.usesC2P { linears.append(k) }
            if config.usesP2C { linears.append(q) }
        } else {
            linears = [positionKey, positionQuery].compactMap { $0 }
        }
        return linears.flatMap { [$0.weight.value] + ($0.bias.map { [$0.value] } ?? []) }
    }

    /// Position keys (c2p) and position queries (p2c) from the relative table `[2·span, H]`.
    func projectPositions(_ rel: Tensor, uncachedIn context: ForwardContext) -> (key: Tensor?, query: Tensor?) {
        var key: Tensor? = nil, query: Tensor? = nil
        if config.shareAttKey, case let .separate(q, k, _) = projections {
            if config.usesC2P { key = k(rel, context: context) }
            if config.usesP2C { query = q(rel, context: context) }
        } else {
            key = positionKey.map { $0(rel, context: context) }
            query = positionQuery.map { $0(rel, context: context) }
        }
        return (key, query)
    }

    /// `x` `[B, N, H]` (keys and values), `queryInput` `[B, M, H]` (queries; `x` when nil), `masks`
    /// the pass's masks (M = N), `rel` the relative table, `index` the `[M, N]` relative index.
    /// Returns the context `[B, M, A]` and, with `keepProbabilities`, the attention probabilities
    /// `[B, heads, M, N]` after the softmax and before dropout (as the original returns them).
    func callAsFunction(_ x: Tensor, queryInput: Tensor?, masks: AttentionMasks, rel: Tensor?, index: IndexTensor?,
                        context: ForwardContext, keepProbabilities: Bool = false) -> (context: Tensor, probabilities: Tensor?) {
        let heads = config.numAttentionHeads
        let (q, k, v) = project(x, queryInput: queryInput, context: context)
        let scale = 1 / (Float(config.headSize) * Float(config.scaleFactor)).squareRoot()
        let relative = config.relativeAttention ? rel.flatMap { r in index.map { (r, $0) } } : nil
        let (posKey, posQuery) = relative.map {
            projectPositions(context.dropout($0.0, config.hiddenDropoutProb), context: context)
        } ?? (nil, nil)
        if context.mode == .inference && !keepProbabilities {
            // One fused pass per (batch entry, head), no score tensors in memory: it records no
            // gradient and applies no dropout, and inference wants neither. It never holds the whole
            // probability tensor, so a pass that returns it takes the path below.
            let out = fusedAttention(query: q, key: k, value: v, positionKey: posKey, positionQuery: posQuery,
                                     index: relative?.1, queryMask: masks.queries, keyMask: masks.keys, heads: heads, scale: scale)
            return (out, nil)
        }
        var scores = headScores(q, k, heads: heads, alpha: scale)
        if let index = relative?.1 {
            let c2p = posKey.map { headScores(q, $0, heads: heads, alpha: scale) }
            let p2c = posQuery.map { headScores(k, $0, heads: heads, alpha: scale) }
            if c2p != nil || p2c != nil {
                scores = addRelativeScores(scores, c2p: c2p, p2c: p2c, index: index)
            }
        }
        let probs = maskedSoftmax(scores, queryMask: masks.queries, keyMask: masks.keys)
        let out = headContext(context.dropout(probs, config.attentionProbsDropoutProb), v)
        return (out, keepProbabilities ? probs : nil)
    }
}

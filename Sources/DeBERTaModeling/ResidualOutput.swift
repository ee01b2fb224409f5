import DeBERTaTensors

/// How both sub-layers of an encoder layer end (post-LayerNorm): `LN(Dropout(x · Wᵀ + b) + residual)`,
/// Hugging Face's `DebertaSelfOutput` and `DebertaOutput` (`<prefix>.dense`, `<prefix>.LayerNorm`).
final class ResidualOutput {
    let dense: Linear
    let norm: LayerNorm
    let dropoutProbability: Float

    init(_ b: ParameterBuilder, _ p: String, in inFeatures: Int, _ c: DeBERTaConfiguration) {
        dense = Linear(b, p + ".dense", in: inFeatures, out: c.hiddenSize, std: c.initializerRange)
        norm = LayerNorm(b, p + ".LayerNorm", size: c.hiddenSize, eps: c.layerNormEps)
        dropoutProbability = c.hiddenDropoutProb
    }

    /// Without dropout the residual is added inside the product, where the kernels allow (inference).
    func callAsFunction(_ x: Tensor, residual: Tensor, context: ForwardContext) -> Tensor {
        guard context.mode.appliesDropout, dropoutProbability > 0 else {
            return norm(dense(x, adding: residual, context: context), context: context)
        }
        return norm(context.dropout(dense(x, context: context), dropoutProbability) + residual, context: context)
    }
}

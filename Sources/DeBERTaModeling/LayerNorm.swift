import DeBERTaTensors

/// Layer normalisation over the last axis with learned scale (`weight`) and shift (`bias`).
public final class LayerNorm {
    public let weight: Parameter
    public let bias: Parameter
    public let eps: Float

    /// Makes `<prefix>.weight` (ones) and `<prefix>.bias` (zeros), both `[size]`.
    public init(_ builder: ParameterBuilder, _ prefix: String, size: Int, eps: Float) {
        weight = builder.make(prefix + ".weight", [size], .ones)
        bias = builder.make(prefix + ".bias", [size], .zeros)
        self.eps = eps
    }

    /// `x` normalised over its last axis, then scaled and shifted.
    public func callAsFunction(_ x: Tensor, context: ForwardContext) -> Tensor {
        layerNorm(x, gamma: context.value(weight), beta: context.value(bias), eps: eps)
    }
}

import DeBERTaTensors

/// `y = x · Wᵀ + b` with PyTorch's `[out, in]` weight layout.
public final class Linear {
    public let weight: Parameter
    public let bias: Parameter?
    /// Copies of the weight for inference (packed, bfloat16), owned here so they go with the model.
    let cache: WeightCache

    /// Makes `<prefix>.weight` `[out, in]` (normal, `std`) and, with `bias`, `<prefix>.bias` (zeros).
    public init(_ builder: ParameterBuilder, _ prefix: String, in inFeatures: Int, out outFeatures: Int, bias: Bool = true, std: Float) {
        weight = builder.make(prefix + ".weight", [outFeatures, inFeatures], .normal(std: std))
        self.bias = bias ? builder.make(prefix + ".bias", [outFeatures], .zeros) : nil
        cache = builder.makeWeightCache()
    }

    /// `x · Wᵀ + b` for `x` `[..., in]`.
    public func callAsFunction(_ x: Tensor, context: ForwardContext) -> Tensor {
        linear(x, weight: context.value(weight), bias: bias.map(context.value), precision: context.precision,
               cache: context.weightCache(cache))
    }

    /// `x · Wᵀ + b + residual`, the addition fused into the product where the kernels allow (inference).
    public func callAsFunction(_ x: Tensor, adding residual: Tensor, context: ForwardContext) -> Tensor {
        linear(x, weight: context.value(weight), bias: bias.map(context.value), adding: residual,
               precision: context.precision, cache: context.weightCache(cache))
    }

    /// `activation(x · Wᵀ + b)`, fused into the product where the kernels allow (inference GELU).
    public func callAsFunction(_ x: Tensor, activation: Activation, context: ForwardContext) -> Tensor {
        linear(x, weight: context.value(weight), bias: bias.map(context.value), activation: activation,
               precision: context.precision, cache: context.weightCache(cache))
    }
}

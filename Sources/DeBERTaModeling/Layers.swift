import DeBERTaTensors

/// `y = x · Wᵀ + b` with PyTorch's `[out, in]` weight layout.
public final class Linear {
    public let weight: Parameter
    public let bias: Parameter?

    public init(_ builder: ParameterBuilder, _ prefix: String, in inFeatures: Int, out outFeatures: Int, bias: Bool = true, std: Float) {
        weight = builder.make(prefix + ".weight", [outFeatures, inFeatures], .normal(std: std))
        self.bias = bias ? builder.make(prefix + ".bias", [outFeatures], .zeros) : nil
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        linear(x, weight: weight.value, bias: bias?.value)
    }

    /// `x · Wᵀ + b + residual`, the addition fused into the product where the kernels allow (inference).
    public func callAsFunction(_ x: Tensor, adding residual: Tensor) -> Tensor {
        linear(x, weight: weight.value, bias: bias?.value, adding: residual)
    }

    /// `activation(x · Wᵀ + b)`, fused into the product where the kernels allow (inference GELU).
    public func callAsFunction(_ x: Tensor, activation: Activation) -> Tensor {
        linear(x, weight: weight.value, bias: bias?.value, activation: activation)
    }
}

/// Layer normalisation over the last axis with learned scale (`weight`) and shift (`bias`).
public final class LayerNorm {
    public let weight: Parameter
    public let bias: Parameter
    public let eps: Float

    public init(_ builder: ParameterBuilder, _ prefix: String, size: Int, eps: Float) {
        weight = builder.make(prefix + ".weight", [size], .ones)
        bias = builder.make(prefix + ".bias", [size], .zeros)
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        layerNorm(x, gamma: weight.value, beta: bias.value, eps: eps)
    }
}

/// What a forward pass needs besides its inputs: training mode and the dropout random stream.
public final class ForwardContext {
    /// Dropout is active only in training mode.
    public let training: Bool
    public var random: RandomStream

    public init(training: Bool = false, seed: UInt64 = 0) {
        self.training = training
        self.random = RandomStream(seed: seed)
    }

    /// Inverted dropout with probability `p` in training mode; the identity otherwise.
    public func dropout(_ x: Tensor, _ p: Float) -> Tensor {
        guard training, p > 0 else { return x }
        return DeBERTaTensors.dropout(x, probability: p, key: random.nextKey())
    }
}

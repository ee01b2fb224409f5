import DeBERTaTensors

/// What a forward pass needs besides its inputs: its mode, the precision of its matrix products and
/// the dropout random stream. Layers read their parameters and weight copies through it, so the mode
/// alone decides between training and inference.
public final class ForwardContext {
    /// Training, inference, or gradients without dropout.
    public let mode: ForwardMode
    /// How the linear layers multiply, forward and backward: float32, or bfloat16 inputs with float32
    /// accumulation (needs oneDNN; see ``MatmulPrecision/checkAvailable()``).
    public let precision: MatmulPrecision
    /// Where dropout masks come from; trainers carry its position from one pass to the next.
    public var random: RandomStream

    /// An inference context unless `mode` says otherwise; `seed` starts the dropout stream.
    public init(mode: ForwardMode = .inference, precision: MatmulPrecision = .fp32, seed: UInt64 = 0) {
        self.mode = mode
        self.precision = precision
        self.random = RandomStream(seed: seed)
    }

    /// Inverted dropout with probability `p` in training mode; the identity otherwise.
    public func dropout(_ x: Tensor, _ p: Float) -> Tensor {
        guard mode.appliesDropout, p > 0 else { return x }
        return DeBERTaTensors.dropout(x, probability: p, key: random.nextKey())
    }

    /// `parameter`'s value as this pass reads it (see ``read(_:)``).
    func value(_ parameter: Parameter) -> Tensor { read(parameter.value) }

    /// `tensor` as this pass reads it: as it is when the mode records gradients, cut off from
    /// autodiff in inference, so that no op records a gradient there and the constant-weight
    /// kernels apply.
    func read(_ tensor: Tensor) -> Tensor { mode.recordsGradients ? tensor : tensor.detached() }

    /// `cache` where this pass may multiply by constant copies of weights (inference); otherwise
    /// nil, after emptying it: an update follows a pass that records gradients, and copies it makes
    /// stale would hold memory the size of the weights until the next inference.
    func weightCache(_ cache: WeightCache) -> WeightCache? {
        guard mode == .inference else {
            cache.removeAll()
            return nil
        }
        return cache
    }
}

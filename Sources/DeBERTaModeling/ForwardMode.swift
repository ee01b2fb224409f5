/// What a forward pass is for, which decides what it may do: apply dropout, record gradients, or
/// take the inference kernels (packed weights, fused attention, cached position terms).
public enum ForwardMode: Sendable, Equatable {
    /// Evaluation and prediction: no dropout, no gradients recorded even for trainable parameters.
    /// Linear layers multiply by packed (or bfloat16) copies of their weights kept in the model,
    /// attention runs fused per head, and the relative-position terms are computed once per length.
    case inference
    /// Dropout on, gradients recorded for every trainable parameter; the model's weight copies are
    /// dropped, since the update that follows makes them stale.
    case training
    /// Gradients recorded with dropout off: a reference's `model.eval()` followed by `backward()`
    /// (gradient checks, `deberta forward --gradients`). Otherwise as ``training``.
    case gradientsWithoutDropout

    /// Whether trainable parameters enter the pass as autodiff leaves.
    public var recordsGradients: Bool { self != .inference }

    /// Whether dropout layers drop.
    public var appliesDropout: Bool { self == .training }
}

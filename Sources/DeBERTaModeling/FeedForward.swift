import DeBERTaTensors

/// The position-wise feed-forward sub-layer: `z = LN(Dropout(act(y · W_1 + b_1) · W_2 + b_2) + y)`
/// (`<prefix>.intermediate.dense`, then `<prefix>.output`).
final class FeedForward {
    let intermediate: Linear
    let output: ResidualOutput
    let activation: Activation

    init(_ b: ParameterBuilder, _ p: String, _ c: DeBERTaConfiguration) {
        intermediate = Linear(b, p + ".intermediate.dense", in: c.hiddenSize, out: c.intermediateSize, std: c.initializerRange)
        output = ResidualOutput(b, p + ".output", in: c.intermediateSize, c)
        activation = c.hiddenActivation
    }

    func callAsFunction(_ y: Tensor, context: ForwardContext) -> Tensor {
        output(intermediate(y, activation: activation, context: context), residual: y, context: context)
    }
}

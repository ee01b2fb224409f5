import DeBERTaTensors

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
        var c = conv1d(embeddings, weight: context.value(weight), bias: context.value(bias), groups: groups)
        c = scaleRows(c, by: mask)
        c = activate(context.dropout(c, dropoutProbability), activation)
        return scaleRows(norm(layerOutput + c, context: context), by: mask)
    }
}

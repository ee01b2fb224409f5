import DeBERTaTensors

/// The Enhanced Mask Decoder of MLM pretraining (MODEL.md §12): absolute positions enter just
/// before the output. Queries start as `PosEmb[positions] + X_{L−1}`; the last encoder layer (shared
/// weights) is applied twice with keys and values from `X_{L−1}`, each output becoming the next query.
public struct EnhancedMaskDecoder {
    /// Number of passes through the last layer (2 in the original code).
    public var steps = 2

    public init(steps: Int = 2) { self.steps = steps }

    /// Decoded states `[B, N, H]` from the encoder's hidden states.
    func callAsFunction(model: DeBERTaModel, hiddenStates: [Tensor], positions: IndexTensor, masks: AttentionMasks,
                        context: ForwardContext) throws -> Tensor {
        let config = model.configuration
        guard let table = model.embeddings.positionTable else {
            throw ModelError.input("the Enhanced Mask Decoder needs the absolute position table (deberta.embeddings.position_embeddings.weight), which this model lacks")
        }
        guard config.resolvedEmbeddingSize == config.hiddenSize, hiddenStates.count >= 2 else {
            throw ModelError.input("the Enhanced Mask Decoder needs embedding_size = hidden_size and at least one layer")
        }
        let keys = hiddenStates[hiddenStates.count - 2]
        let n = keys.dim(1)
        let (rel, index) = model.encoder.relativeInputs(queries: n, keys: n, context: context)
        let last = model.encoder.layers[model.encoder.layers.count - 1]
        var query = embedding(context.read(table), positions) + keys
        for _ in 0..<steps {
            query = last(keys, queryStates: query, masks: masks, rel: rel, index: index, context: context)
        }
        return query
    }
}

import DeBERTaTensors

/// The masks of one forward pass, made from ``ModelInput/attentionMask`` as the original's
/// `get_attention_mask` and transformers' encoders read it.
///
/// - A `[B, N]` token mask keeps pair (i, j) when tokens i and j are both real; a padded query's
///   row is uniform (transformers ≥ 4.47).
/// - A `[B, N, N]` pair mask is used as given: pair (i, j) is kept when `mask[b, i, j] != 0`, and a
///   row with no kept pair is uniform. Its token mask, which zeroes embeddings and convolution
///   outputs, is `mask.sum(-2) > 0` (a token some query attends to), the reduction the encoders of
///   the original and of transformers apply for their convolution layer.
struct AttentionMasks {
    /// `[B, N]`: 1 for the tokens that take part; scales the embeddings and the convolution output.
    let tokens: Tensor
    /// `[B, N]`: 1 for the queries whose rows are kept (all ones for a pair mask).
    let queries: Tensor
    /// `[B, N]` (with `queries`, the outer product) or `[B, N, N]` (a pair mask).
    let keys: Tensor

    /// The masks of `mask` (`[B, N]` or `[B, N, N]`, any non-zero value keeps) for `[B, N]` inputs;
    /// all ones when nil.
    init(_ mask: IndexTensor?, batch: Int, length n: Int) {
        guard let mask else {
            let ones = Tensor(repeating: 1, shape: [batch, n])
            self.init(tokens: ones, queries: ones, keys: ones)
            return
        }
        let kept = mask.values.map { $0 != 0 ? Float(1) : 0 }
        if mask.shape.count == 2 {
            let t = Tensor(kept, shape: [batch, n])
            self.init(tokens: t, queries: t, keys: t)
            return
        }
        var seen = [Float](repeating: 0, count: batch * n)
        for b in 0..<batch {
            for i in 0..<n {
                for j in 0..<n where kept[(b * n + i) * n + j] != 0 { seen[b * n + j] = 1 }
            }
        }
        self.init(tokens: Tensor(seen, shape: [batch, n]), queries: Tensor(repeating: 1, shape: [batch, n]),
                  keys: Tensor(kept, shape: [batch, n, n]))
    }

    private init(tokens: Tensor, queries: Tensor, keys: Tensor) {
        self.tokens = tokens
        self.queries = queries
        self.keys = keys
    }
}

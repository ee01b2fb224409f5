/// Adds a bias vector to the last axis: `x[..., j] + bias[j]`.
public func addBias(_ x: Tensor, _ bias: Tensor) -> Tensor {
    let width = x.dim(-1)
    precondition(bias.count == width, "addBias: \(x.shape) + \(bias.shape)")
    let rows = x.count / width
    let out = Tensor(uninitializedShape: x.shape)
    let src = x.data, b = bias.data, dst = out.data
    Parallel.forEach(rows, grain: 256) { r in
        for i in r { for j in 0..<width { dst[i * width + j] = src[i * width + j] + b[j] } }
    }
    return out.recording([x, bias]) { g in [g, bias.requiresGrad ? sumRows(g, columns: width) : nil] }
}

/// Splits a fused projection whose features are interleaved per head — for head `h`, `parts`
/// blocks of `d` features (e.g. q, k, v) — into `parts` tensors `[..., heads·d]` in head-major order.
public func splitInterleavedHeads(_ x: Tensor, heads: Int, parts: Int) -> [Tensor] {
    let width = x.dim(-1)
    precondition(width % (heads * parts) == 0, "cannot split \(x.shape) into \(parts) parts of \(heads) heads")
    let d = width / (heads * parts), outWidth = heads * d
    let rows = x.count / width
    let outShape = Array(x.shape.dropLast()) + [outWidth]
    return (0..<parts).map { part in
        let out = Tensor(uninitializedShape: outShape)
        for r in 0..<rows {
            for h in 0..<heads {
                (out.data + r * outWidth + h * d).update(from: x.data + r * width + (h * parts + part) * d, count: d)
            }
        }
        return out.recording([x]) { g in
            let t = Tensor.zeros(x.shape)
            for r in 0..<rows {
                for h in 0..<heads {
                    (t.data + r * width + (h * parts + part) * d).update(from: g.data + r * outWidth + h * d, count: d)
                }
            }
            return [t]
        }
    }
}

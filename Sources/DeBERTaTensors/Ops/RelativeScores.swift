import DeBERTaKernels

/// The relative-position gathers of disentangled attention, fused with the content scores.
///
/// For scores `[B, heads, M, N]` and an index matrix `index[i, j]` (`[M, N]`, the row of the
/// relative table for query `i` and key `j`):
/// ```
/// out[b,h,i,j] = content[b,h,i,j] + c2p[b,h,i, index[i,j]] + p2c[b,h,j, index[i,j]]
/// ```
/// where `c2p` is `[B, heads, M, S]` (content query × position key) and `p2c` is
/// `[B, heads, N, S]` (content key × position query). Either may be absent.
public func addRelativeScores(_ content: Tensor, c2p: Tensor?, p2c: Tensor?, index: IndexTensor) -> Tensor {
    let batch = content.dim(0), heads = content.dim(1), m = content.dim(2), n = content.dim(3)
    precondition(index.shape == [m, n], "relative index \(index.shape) does not match scores \(content.shape)")
    let s = (c2p ?? p2c)?.dim(-1) ?? 0
    if let c2p { precondition(c2p.shape == [batch, heads, m, s], "c2p \(c2p.shape) vs scores \(content.shape)") }
    if let p2c { precondition(p2c.shape == [batch, heads, n, s], "p2c \(p2c.shape) vs scores \(content.shape)") }
    let out = Tensor(uninitializedShape: content.shape)
    index.values.withUnsafeBufferPointer { ip in
        let idx = ip.baseAddress!, o = out.data, src = content.data
        let cp = c2p?.data, pp = p2c?.data
        Parallel.forEach(batch * heads, grain: 1) { r in
            for bh in r {
                ck_relative_scores(src + bh * m * n, cp.map { UnsafePointer($0 + bh * m * s) }, pp.map { UnsafePointer($0 + bh * n * s) },
                                   idx, o + bh * m * n, m, n, s)
            }
        }
    }
    // The backward pass needs only shapes: capture no tensor (c2p and p2c are the largest of a layer).
    let c2pShape = c2p?.requiresGrad == true ? c2p?.shape : nil
    let p2cShape = p2c?.requiresGrad == true ? p2c?.shape : nil
    return out.recording([content, c2p, p2c]) { g in
        var dc2p: Tensor? = nil, dp2c: Tensor? = nil
        index.values.withUnsafeBufferPointer { ip in
            let idx = ip.baseAddress!
            if let c2pShape {
                let t = Tensor.zeros(c2pShape)
                Parallel.forEach(batch * heads, grain: 1) { r in
                    for bh in r {
                        let gb = g.data + bh * m * n, tb = t.data + bh * m * s
                        for i in 0..<m { for j in 0..<n { tb[i * s + Int(idx[i * n + j])] += gb[i * n + j] } }
                    }
                }
                dc2p = t
            }
            if let p2cShape {
                let t = Tensor.zeros(p2cShape)
                Parallel.forEach(batch * heads, grain: 1) { r in
                    for bh in r {
                        let gb = g.data + bh * m * n, tb = t.data + bh * n * s
                        for i in 0..<m { for j in 0..<n { tb[j * s + Int(idx[i * n + j])] += gb[i * n + j] } }
                    }
                }
                dp2c = t
            }
        }
        return [g, dc2p, dp2c]
    }
}

/// Gathers along the last axis: `out[..., i, j] = x[..., i, index[i, j]]` for `x` `[..., R, S]`
/// and an index `[R, C]` shared by the leading axes; result `[..., R, C]`.
public func gatherLastAxis(_ x: Tensor, index: IndexTensor) -> Tensor {
    let r = x.dim(-2), s = x.dim(-1), c = index.shape[1]
    precondition(index.shape[0] == r, "gather index \(index.shape) vs \(x.shape)")
    precondition(index.values.allSatisfy { $0 >= 0 && Int($0) < s }, "gather index outside [0, \(s))")
    let lead = x.count / (r * s)
    let out = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [c])
    for l in 0..<lead {
        for i in 0..<r {
            for j in 0..<c { out.data[(l * r + i) * c + j] = x.data[(l * r + i) * s + Int(index.values[i * c + j])] }
        }
    }
    return out.recording([x]) { g in
        let t = Tensor.zeros(x.shape)
        for l in 0..<lead {
            for i in 0..<r {
                for j in 0..<c { t.data[(l * r + i) * s + Int(index.values[i * c + j])] += g.data[(l * r + i) * c + j] }
            }
        }
        return [t]
    }
}

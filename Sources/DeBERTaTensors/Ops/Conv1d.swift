/// 1-D convolution over the sequence axis with channels last, as PyTorch's `Conv1d` with
/// `padding = (k − 1) / 2` zeros on both sides (cross-correlation):
/// `out[b, t, o] = bias[o] + Σ_{c ∈ group(o)} Σ_u weight[o, c − c0, u] · x[b, t + u − pad, c]`.
///
/// `x` is `[B, N, C]`, `weight` `[O, C / groups, k]` (PyTorch layout), result `[B, N, O]`.
/// Computed as im2col + one GEMM per group.
public func conv1d(_ x: Tensor, weight: Tensor, bias: Tensor?, groups: Int = 1) -> Tensor {
    let batch = x.dim(0), n = x.dim(1), channels = x.dim(2)
    let outC = weight.dim(0), groupIn = weight.dim(1), k = weight.dim(2)
    precondition(channels == groupIn * groups && outC % groups == 0, "conv1d: input \(x.shape), weight \(weight.shape), groups \(groups)")
    let groupOut = outC / groups
    let pad = (k - 1) / 2
    let colWidth = groupIn * k
    // cols[g][b, t, c·k + u] = x[b, t + u − pad, g·groupIn + c]
    func im2col(_ g: Int) -> Tensor {
        let cols = Tensor.zeros([batch * n, colWidth])
        for b in 0..<batch {
            for t in 0..<n {
                let row = cols.data + (b * n + t) * colWidth
                for u in 0..<k {
                    let src = t + u - pad
                    if src < 0 || src >= n { continue }
                    let xp = x.data + (b * n + src) * channels + g * groupIn
                    for c in 0..<groupIn { row[c * k + u] = xp[c] }
                }
            }
        }
        return cols
    }
    let allCols = (0..<groups).map(im2col)
    let out = Tensor(uninitializedShape: [batch, n, outC])
    for g in 0..<groups {
        BLAS.sgemm(transA: false, transB: true, m: batch * n, n: groupOut, k: colWidth,
                   a: allCols[g].data, lda: colWidth,
                   b: weight.data + g * groupOut * colWidth, ldb: colWidth,
                   c: out.data + g * groupOut, ldc: outC)
    }
    if let bias {
        for r in 0..<(batch * n) { for o in 0..<outC { out.data[r * outC + o] += bias.data[o] } }
    }
    return out.recording([x, weight, bias]) { gOut in
        var dx: Tensor? = nil, dw: Tensor? = nil, db: Tensor? = nil
        if weight.requiresGrad {
            let t = Tensor(uninitializedShape: weight.shape)
            for g in 0..<groups {
                BLAS.sgemm(transA: true, transB: false, m: groupOut, n: colWidth, k: batch * n,
                           a: gOut.data + g * groupOut, lda: outC,
                           b: allCols[g].data, ldb: colWidth,
                           c: t.data + g * groupOut * colWidth, ldc: colWidth)
            }
            dw = t
        }
        if x.requiresGrad {
            let t = Tensor.zeros(x.shape)
            let dcols = Tensor(uninitializedShape: [batch * n, colWidth])
            for g in 0..<groups {
                BLAS.sgemm(transA: false, transB: false, m: batch * n, n: colWidth, k: groupOut,
                           a: gOut.data + g * groupOut, lda: outC,
                           b: weight.data + g * groupOut * colWidth, ldb: colWidth,
                           c: dcols.data, ldc: colWidth)
                for b in 0..<batch {
                    for tt in 0..<n {
                        let row = dcols.data + (b * n + tt) * colWidth
                        for u in 0..<k {
                            let src = tt + u - pad
                            if src < 0 || src >= n { continue }
                            let xp = t.data + (b * n + src) * channels + g * groupIn
                            for c in 0..<groupIn { xp[c] += row[c * k + u] }
                        }
                    }
                }
            }
            dx = t
        }
        if let bias, bias.requiresGrad { db = sumRows(gOut, columns: outC) }
        return [dx, dw, db]
    }
}

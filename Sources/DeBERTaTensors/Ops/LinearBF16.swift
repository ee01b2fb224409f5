/// The bf16 form of ``linear(_:weight:bias:precision:cache:)`` (`precision` `.bf16`): the forward
/// product and both backward products (`dX = G·W`, `dW = Gᵀ·X`) read bfloat16 copies of their
/// inputs and accumulate in float32; outputs, gradients and weights stay float32.
///
/// The rounded input and weight made for the forward product are kept for the backward pass,
/// so backward rounds only the incoming gradient. A constant weight's copy comes from `cache`
/// (nil for weights that record gradients). If oneDNN fails at run time, the product is computed in
/// float32 (reported once, counted in ``MatmulPrecision/bf16Fallbacks``).
func linearBF16(_ x: Tensor, weight: Tensor, bias: Tensor?, rows: Int, inF: Int, outF: Int, cache: WeightCache?) -> Tensor {
    let out = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [outF])
    let beta = fillWithBias(out, bias, rows: rows, columns: outF)
    let xb = BFloat16Buffer(rounding: x)
    let wb = cache?.bfloat16(weight) ?? BFloat16Buffer(rounding: weight)
    productBF16(transA: false, transB: true, m: rows, n: outF, k: inF, a: (xb.pointer, x.data), lda: inF,
                b: (wb.pointer, weight.data), ldb: inF, beta: beta, c: out.data, ldc: outF)
    // Keep only what the backward products read.
    let savedX = weight.requiresGrad ? xb : nil
    let savedW = x.requiresGrad ? wb : nil
    return out.recording([x, weight, bias]) { g in
        var dx: Tensor? = nil, dw: Tensor? = nil, db: Tensor? = nil
        let gb = savedW != nil || savedX != nil ? BFloat16Buffer(rounding: g) : BFloat16Buffer(uninitializedCount: 0)
        if x.requiresGrad, let savedW {
            let t = Tensor(uninitializedShape: x.shape)
            productBF16(transA: false, transB: false, m: rows, n: inF, k: outF, a: (gb.pointer, g.data), lda: outF,
                        b: (savedW.pointer, weight.data), ldb: inF, c: t.data, ldc: inF)
            dx = t
        }
        if weight.requiresGrad, let savedX {
            let t = Tensor(uninitializedShape: weight.shape)
            productBF16(transA: true, transB: false, m: outF, n: inF, k: rows, a: (gb.pointer, g.data), lda: outF,
                        b: (savedX.pointer, x.data), ldb: inF, c: t.data, ldc: inF)
            dw = t
        }
        if let bias, bias.requiresGrad { db = sumRows(g, columns: outF) }
        return [dx, dw, db]
    }
}

/// `C = op(A)·op(B) + beta·C` from the bfloat16 copies of `a` and `b`; from their float32 originals
/// when oneDNN fails at run time (reported once).
private func productBF16(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                         a: (bf16: UnsafeMutablePointer<UInt16>, fp32: UnsafeMutablePointer<Float>), lda: Int,
                         b: (bf16: UnsafeMutablePointer<UInt16>, fp32: UnsafeMutablePointer<Float>), ldb: Int,
                         beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    do {
        try BLAS.gemmBF16(transA: transA, transB: transB, m: m, n: n, k: k, a: a.bf16, lda: lda,
                          b: b.bf16, ldb: ldb, beta: beta, c: c, ldc: ldc)
    } catch {
        MatmulPrecision.reportFallback(error)
        BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a.fp32, lda: lda,
                   b: b.fp32, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

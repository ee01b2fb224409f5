/// Matrix products through `cblas_sgemm`: plain and batched matmul, linear layers.

extension Tensor {
    /// Treats all axes but the last as rows: `[rows, last]`.
    @inlinable var rowCount: Int { shape.dropLast().reduce(1, *) }
}

/// `a · b` with optional transposes. `a` is `[..., M, K]` (or `[..., K, M]` transposed);
/// `b` is either 2-D `[K, N]` (shared by every leading index of `a`, one GEMM) or has the same
/// leading axes as `a` (one GEMM per leading index).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    precondition(a.rank >= 2 && b.rank >= 2, "matmul needs rank ≥ 2, got \(a.shape) and \(b.shape)")
    let aRows = a.dim(-2), aCols = a.dim(-1)
    let bRows = b.dim(-2), bCols = b.dim(-1)
    let m = transposeA ? aCols : aRows, k = transposeA ? aRows : aCols
    let kb = transposeB ? bCols : bRows, n = transposeB ? bRows : bCols
    precondition(k == kb, "matmul inner dimensions differ: \(a.shape) · \(b.shape)")
    let batch = a.count / (aRows * aCols)
    let sharedB = b.rank == 2
    precondition(sharedB || b.count / (bRows * bCols) == batch, "matmul batch sizes differ: \(a.shape) · \(b.shape)")
    let outShape = Array(a.shape.dropLast(2)) + [m, n]
    let out = Tensor(uninitializedShape: outShape)
    if sharedB && !transposeA {
        BLAS.sgemm(transA: false, transB: transposeB, m: batch * m, n: n, k: k,
                   a: a.data, lda: aCols, b: b.data, ldb: bCols, c: out.data, ldc: n)
    } else {
        for i in 0..<batch {
            BLAS.sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                       a: a.data + i * aRows * aCols, lda: aCols,
                       b: b.data + (sharedB ? 0 : i * bRows * bCols), ldb: bCols,
                       c: out.data + i * m * n, ldc: n)
        }
    }
    return out.recording([a, b]) { g in
        // C = op(A)·op(B): dop(A) = G·op(B)ᵀ, dop(B) = op(A)ᵀ·G.
        var da: Tensor? = nil, db: Tensor? = nil
        if a.requiresGrad {
            let t = Tensor(uninitializedShape: a.shape)
            for i in 0..<batch {
                let gi = g.data + i * m * n
                let bi = b.data + (sharedB ? 0 : i * bRows * bCols)
                if transposeA {  // dA = op(B)·Gᵀ  ([K, M])
                    BLAS.sgemm(transA: transposeB, transB: true, m: k, n: m, k: n,
                               a: bi, lda: bCols, b: gi, ldb: n, c: t.data + i * aRows * aCols, ldc: aCols)
                } else {  // dA = G·op(B)ᵀ ([M, K])
                    BLAS.sgemm(transA: false, transB: !transposeB, m: m, n: k, k: n,
                               a: gi, lda: n, b: bi, ldb: bCols, c: t.data + i * aRows * aCols, ldc: aCols)
                }
            }
            da = t
        }
        if b.requiresGrad {
            let t = Tensor.zeros(b.shape)
            for i in 0..<batch {
                let gi = g.data + i * m * n
                let ai = a.data + i * aRows * aCols
                let ti = t.data + (sharedB ? 0 : i * bRows * bCols)
                let beta: Float = sharedB ? 1 : 0
                if transposeB {  // dB = Gᵀ·op(A)  ([N, K])
                    BLAS.sgemm(transA: true, transB: transposeA, m: n, n: k, k: m,
                               a: gi, lda: n, b: ai, ldb: aCols, beta: beta, c: ti, ldc: bCols)
                } else {  // dB = op(A)ᵀ·G  ([K, N])
                    BLAS.sgemm(transA: !transposeA, transB: false, m: k, n: n, k: m,
                               a: ai, lda: aCols, b: gi, ldb: n, beta: beta, c: ti, ldc: bCols)
                }
            }
            db = t
        }
        return [da, db]
    }
}

/// A linear layer in PyTorch's convention: `x · weightᵀ + bias`, `x` `[..., in]`,
/// `weight` `[out, in]`, `bias` `[out]`.
///
/// With `precision` `.bf16` its three products (forward, `dX`, `dW`) read bfloat16-rounded inputs
/// and accumulate in float32 (see `linearBF16`). `cache` holds copies of a weight that is constant
/// for this call (inference): in float32 the product then runs on its packed form (the AVX-512
/// kernel of ``PackedWeight``), in bfloat16 on its rounded copy; without one, or for a weight that
/// records gradients (whose copies an update would make stale), `sgemm` or a per-call rounding runs.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, precision: MatmulPrecision = .fp32,
                   cache: WeightCache? = nil) -> Tensor {
    let inF = x.dim(-1), outF = weight.dim(0)
    precondition(weight.rank == 2 && weight.dim(1) == inF, "linear: input \(x.shape) does not match weight \(weight.shape)")
    let rows = x.rowCount
    if let bias { precondition(bias.count == outF, "linear: bias \(bias.shape) does not match weight \(weight.shape)") }
    let cache = weight.requiresGrad ? nil : cache
    if precision == .bf16 {
        return linearBF16(x, weight: weight, bias: bias, rows: rows, inF: inF, outF: outF, cache: cache)
    }
    let out = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [outF])
    let packedDone = cache?.packed(weight)?
        .product(x.data, rows: rows, bias: bias.map { UnsafePointer($0.data) }, into: out.data) ?? false
    if !packedDone {
        let beta = fillWithBias(out, bias, rows: rows, columns: outF)
        BLAS.sgemm(transA: false, transB: true, m: rows, n: outF, k: inF,
                   a: x.data, lda: inF, b: weight.data, ldb: inF, beta: beta, c: out.data, ldc: outF)
    }
    return out.recording([x, weight, bias]) { g in
        var dx: Tensor? = nil, dw: Tensor? = nil, db: Tensor? = nil
        if x.requiresGrad {
            let t = Tensor(uninitializedShape: x.shape)
            BLAS.sgemm(transA: false, transB: false, m: rows, n: inF, k: outF,
                       a: g.data, lda: outF, b: weight.data, ldb: inF, c: t.data, ldc: inF)
            dx = t
        }
        if weight.requiresGrad {
            let t = Tensor(uninitializedShape: weight.shape)
            BLAS.sgemm(transA: true, transB: false, m: outF, n: inF, k: rows,
                       a: g.data, lda: outF, b: x.data, ldb: inF, c: t.data, ldc: inF)
            dw = t
        }
        if let bias, bias.requiresGrad { db = sumRows(g, columns: outF) }
        return [dx, dw, db]
    }
}

/// `activate(linear(x, weight, bias), activation)`. In float32 with a packed weight from `cache`
/// and no input recording gradients (inference), exact GELU is applied by the packed product kernel
/// as it stores each result, saving a pass over the (wide) output.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, activation: Activation,
                   precision: MatmulPrecision = .fp32, cache: WeightCache? = nil) -> Tensor {
    if activation == .gelu, precision == .fp32,
       let fused = fusedLinear(x, weight: weight, bias: bias, residual: nil, gelu: true, cache: cache) { return fused }
    return activate(linear(x, weight: weight, bias: bias, precision: precision, cache: cache), activation)
}

/// `linear(x, weight, bias) + residual` (`residual` shaped like the output). In float32 with a
/// packed weight from `cache` and no input recording gradients (inference), the packed product
/// kernel adds the residual as it stores each result, saving a pass.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, adding residual: Tensor,
                   precision: MatmulPrecision = .fp32, cache: WeightCache? = nil) -> Tensor {
    if precision == .fp32, let fused = fusedLinear(x, weight: weight, bias: bias, residual: residual, gelu: false, cache: cache) {
        return fused
    }
    return linear(x, weight: weight, bias: bias, precision: precision, cache: cache) + residual
}

/// `x · weightᵀ + bias (+ residual)`, through GELU with `gelu`, computed in one pass by the packed
/// kernel; nil (nothing computed) unless that applies: no input records gradients, `cache` gives a
/// packed form of the weight, and shapes agree (the unfused fallback reports mismatches).
private func fusedLinear(_ x: Tensor, weight: Tensor, bias: Tensor?, residual: Tensor?, gelu: Bool, cache: WeightCache?) -> Tensor? {
    guard let cache, !x.requiresGrad, !weight.requiresGrad, bias?.requiresGrad != true, residual?.requiresGrad != true,
          weight.rank == 2, x.dim(-1) == weight.dim(1), bias.map({ $0.count == weight.dim(0) }) ?? true else { return nil }
    let shape = Array(x.shape.dropLast()) + [weight.dim(0)]
    guard residual.map({ $0.shape == shape }) ?? true, let packed = cache.packed(weight) else { return nil }
    let out = Tensor(uninitializedShape: shape)
    let done = packed.product(x.data, rows: x.rowCount, bias: bias.map { UnsafePointer($0.data) },
                              residual: residual.map { UnsafePointer($0.data) }, gelu: gelu, into: out.data)
    return done ? out : nil
}

/// Copies `bias` into every row of `out` (`[rows, columns]`) and returns the `beta` that makes a
/// GEMM add to it (1), or returns 0 without writing when there is no bias.
func fillWithBias(_ out: Tensor, _ bias: Tensor?, rows: Int, columns: Int) -> Float {
    guard let bias else { return 0 }
    let o = out.data, b = bias.data
    Parallel.forEach(rows, grain: 256) { r in
        for i in r { (o + i * columns).update(from: b, count: columns) }
    }
    return 1
}

/// Column sums of a `[rows, columns]` view of `g`, as a `[columns]` tensor.
func sumRows(_ g: Tensor, columns: Int) -> Tensor {
    let rows = g.count / columns
    let out = Tensor.zeros([columns])
    let o = out.data, p = g.data
    for r in 0..<rows {
        let row = p + r * columns
        for c in 0..<columns { o[c] += row[c] }
    }
    return out
}

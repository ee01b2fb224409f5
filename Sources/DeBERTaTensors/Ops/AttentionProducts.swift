import DeBERTaKernels

/// The per-head products of multi-head attention. Heads are read in place with a leading dimension
/// (never copied out); the many small GEMMs (one per batch entry and head) run in parallel over
/// the cores with single-threaded BLAS, which beats letting BLAS split each small product.

/// Runs `body(i)` for `0..<count` over the cores (each product on one thread).
@inlinable
func forEachSmallProduct(_ count: Int, _ body: (Int) -> Void) {
    Parallel.forEach(count) { r in for i in r { body(i) } }
}

/// One forward head product `C = alpha · A · op(B)` on the calling thread: the AVX-512 kernel of
/// ``PackedWeight`` (B packed into a per-thread buffer, A read in place, no zero-fill of C) when the
/// CPU has it, else `sgemm`.
@inlinable
func headProduct(m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                 b: UnsafePointer<Float>, ldb: Int, transB: Bool, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if PackedWeight.isAvailable, max(m, n, k, lda, ldb, ldc) <= Int(Int32.max),
       ck_sgemm_small(Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), transB ? 1 : 0, c, Int32(ldc)) != 0 {
        return
    }
    BLAS.sgemm(transA: false, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
               c: c, ldc: ldc, parallel: false)
}

/// Per-head score products of multi-head attention:
/// `out[b, h, i, j] = alpha · Σ_e a[b, i, h·d + e] · c[b', j, h·d + e]`.
///
/// `a` is `[B, M, heads·d]`; `c` is `[B, N, heads·d]` or `[1, N, heads·d]` / `[N, heads·d]`
/// (shared by the batch, e.g. projected relative embeddings). Result `[B, heads, M, N]`.
public func headScores(_ a: Tensor, _ c: Tensor, heads: Int, alpha: Float = 1) -> Tensor {
    let batch = a.dim(0), m = a.dim(1), width = a.dim(2)
    let n = c.dim(-2)
    precondition(c.dim(-1) == width && width % heads == 0, "headScores: \(a.shape) vs \(c.shape) with \(heads) heads")
    let cBatch = c.rank == 3 ? c.dim(0) : 1
    precondition(cBatch == batch || cBatch == 1, "headScores: batch \(batch) vs \(c.shape)")
    let d = width / heads
    let out = Tensor(uninitializedShape: [batch, heads, m, n])
    forEachSmallProduct(batch * heads) { bh in
        let b = bh / heads, h = bh % heads
        let cb = c.data + (cBatch == 1 ? 0 : b * n * width)
        headProduct(m: m, n: n, k: d, alpha: alpha, a: a.data + b * m * width + h * d, lda: width,
                    b: cb + h * d, ldb: width, transB: true, c: out.data + (b * heads + h) * m * n, ldc: n)
    }
    return out.recording([a, c]) { g in
        var da: Tensor? = nil, dc: Tensor? = nil
        if a.requiresGrad {
            let t = Tensor(uninitializedShape: a.shape)
            forEachSmallProduct(batch * heads) { bh in
                let b = bh / heads, h = bh % heads
                let cb = c.data + (cBatch == 1 ? 0 : b * n * width)
                BLAS.sgemm(transA: false, transB: false, m: m, n: d, k: n, alpha: alpha,
                           a: g.data + (b * heads + h) * m * n, lda: n,
                           b: cb + h * d, ldb: width,
                           c: t.data + b * m * width + h * d, ldc: width, parallel: false)
            }
            da = t
        }
        if c.requiresGrad {
            // Entries sharing `c` (cBatch == 1) accumulate into the same block: parallel over heads only.
            let t = Tensor.zeros(c.shape)
            let tasks = cBatch == 1 ? heads : batch * heads
            forEachSmallProduct(tasks) { task in
                let h = task % heads
                for b in (cBatch == 1 ? Array(0..<batch) : [task / heads]) {
                    let tb = t.data + (cBatch == 1 ? 0 : b * n * width)
                    BLAS.sgemm(transA: true, transB: false, m: n, n: d, k: m, alpha: alpha,
                               a: g.data + (b * heads + h) * m * n, lda: n,
                               b: a.data + b * m * width + h * d, ldb: width,
                               beta: 1, c: tb + h * d, ldc: width, parallel: false)
                }
            }
            dc = t
        }
        return [da, dc]
    }
}

/// Attention context: `out[b, i, h·d + e] = Σ_j p[b, h, i, j] · v[b, j, h·d + e]`;
/// `p` is `[B, heads, M, N]`, `v` is `[B, N, heads·d]`, result `[B, M, heads·d]` (heads
/// concatenated in head-major order).
public func headContext(_ p: Tensor, _ v: Tensor) -> Tensor {
    let batch = p.dim(0), heads = p.dim(1), m = p.dim(2), n = p.dim(3)
    let width = v.dim(2)
    precondition(v.dim(0) == batch && v.dim(1) == n && width % heads == 0, "headContext: \(p.shape) vs \(v.shape)")
    let d = width / heads
    let out = Tensor(uninitializedShape: [batch, m, width])
    forEachSmallProduct(batch * heads) { bh in
        let b = bh / heads, h = bh % heads
        headProduct(m: m, n: d, k: n, alpha: 1, a: p.data + (b * heads + h) * m * n, lda: n,
                    b: v.data + b * n * width + h * d, ldb: width, transB: false, c: out.data + b * m * width + h * d, ldc: width)
    }
    return out.recording([p, v]) { g in
        var dp: Tensor? = nil, dv: Tensor? = nil
        if p.requiresGrad {
            let t = Tensor(uninitializedShape: p.shape)
            forEachSmallProduct(batch * heads) { bh in
                let b = bh / heads, h = bh % heads
                BLAS.sgemm(transA: false, transB: true, m: m, n: n, k: d,
                           a: g.data + b * m * width + h * d, lda: width,
                           b: v.data + b * n * width + h * d, ldb: width,
                           c: t.data + (b * heads + h) * m * n, ldc: n, parallel: false)
            }
            dp = t
        }
        if v.requiresGrad {
            let t = Tensor(uninitializedShape: v.shape)
            forEachSmallProduct(batch * heads) { bh in
                let b = bh / heads, h = bh % heads
                BLAS.sgemm(transA: true, transB: false, m: n, n: d, k: m,
                           a: p.data + (b * heads + h) * m * n, lda: n,
                           b: g.data + b * m * width + h * d, ldb: width,
                           c: t.data + b * n * width + h * d, ldc: width, parallel: false)
            }
            dv = t
        }
        return [dp, dv]
    }
}

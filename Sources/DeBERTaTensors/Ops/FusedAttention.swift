import DeBERTaKernels

/// Disentangled attention for inference, one (batch entry, head) at a time: content scores, c2p and
/// p2c products, their gather-add, the masked softmax and the context product run back to back on
/// one thread with the head's score blocks in per-thread buffers (they stay in L2), instead of
/// writing `[B, heads, M, N]` and `[B, heads, M, S]` tensors to memory between passes.
///
/// Same arguments and result as the unfused sequence `headScores` (content, c2p with `positionKey`,
/// p2c with `positionQuery`), ``addRelativeScores(_:c2p:p2c:index:)``, ``maskedSoftmax(_:queryMask:keyMask:)``
/// and ``headContext(_:_:)``; `positionKey` / `positionQuery` are `[S, heads·d]` tables shared by the
/// batch (either may be absent, and `index` is needed only with one of them); `keyMask` is `[B, N]`
/// or a `[B, M, N]` pair mask, as in ``maskedSoftmax(_:queryMask:keyMask:)``. Records no gradient:
/// callers use it only when nothing requires one and dropout is off.
public func fusedAttention(query q: Tensor, key k: Tensor, value v: Tensor, positionKey: Tensor?, positionQuery: Tensor?,
                           index: IndexTensor?, queryMask: Tensor, keyMask: Tensor, heads: Int, scale: Float) -> Tensor {
    let batch = q.dim(0), m = q.dim(1), width = q.dim(2), n = k.dim(1), d = width / heads
    precondition(k.shape == [batch, n, width] && v.shape == [batch, n, width] && width % heads == 0,
                 "fusedAttention: q \(q.shape), k \(k.shape), v \(v.shape), \(heads) heads")
    let pairs = isPairMask(keyMask, batch: batch, queries: m, keys: n)
    precondition(queryMask.count == batch * m && (pairs || keyMask.count == batch * n),
                 "fusedAttention: masks \(queryMask.shape) \(keyMask.shape)")
    let s = (positionKey ?? positionQuery)?.dim(-2) ?? 0
    for table in [positionKey, positionQuery].compactMap({ $0 }) {
        precondition(table.count == s * width, "fusedAttention: position table \(table.shape) vs width \(width)")
    }
    if positionKey != nil || positionQuery != nil {
        precondition(index?.shape == [m, n], "fusedAttention: relative index \(index?.shape ?? []) vs \(m) × \(n)")
    }
    let out = Tensor(uninitializedShape: [batch, m, width])
    let idx = index?.values ?? []
    idx.withUnsafeBufferPointer { ip in
        Parallel.forEach(batch * heads) { range in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: max(m * n, 1))
            let c2p = positionKey.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: max(m * s, 1)) }
            let p2c = positionQuery.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: max(n * s, 1)) }
            defer { scores.deallocate(); c2p?.deallocate(); p2c?.deallocate() }
            for bh in range {
                let b = bh / heads, h = bh % heads
                let qh = q.data + b * m * width + h * d, kh = k.data + b * n * width + h * d
                headProduct(m: m, n: n, k: d, alpha: scale, a: qh, lda: width, b: kh, ldb: width, transB: true, c: scores, ldc: n)
                if let c2p, let table = positionKey {
                    headProduct(m: m, n: s, k: d, alpha: scale, a: qh, lda: width, b: table.data + h * d, ldb: width, transB: true, c: c2p, ldc: s)
                }
                if let p2c, let table = positionQuery {
                    headProduct(m: n, n: s, k: d, alpha: scale, a: kh, lda: width, b: table.data + h * d, ldb: width, transB: true, c: p2c, ldc: s)
                }
                if c2p != nil || p2c != nil {
                    ck_relative_scores(scores, c2p.map { UnsafePointer($0) }, p2c.map { UnsafePointer($0) }, ip.baseAddress!, scores, m, n, s)
                }
                for i in 0..<m {
                    maskedSoftmaxRow(scores + i * n, into: scores + i * n, count: n,
                                     keys: keyMask.data + keyRowOffset(b, i, m: m, n: n, pairs: pairs),
                                     queryKept: queryMask.data[b * m + i] != 0)
                }
                headProduct(m: m, n: d, k: n, alpha: 1, a: scores, lda: n, b: v.data + b * n * width + h * d, ldb: width,
                            transB: false, c: out.data + b * m * width + h * d, ldc: width)
            }
        }
    }
    return out
}

import DeBERTaKernels
import Foundation

/// Masked softmax over the last axis of attention scores `[B, heads, M, N]`, with Hugging Face's
/// semantics (transformers ≥ 4.47): the pair (i, j) is kept when `queryMask[b, i]` and
/// `keyMask[b, j]` are both non-zero; dropped scores are replaced by the most negative float, so a
/// kept row ignores them exactly and a fully masked row (a padded query) becomes uniform, `1/N`.
/// No gradient flows to dropped scores.
///
/// `keyMask` may also be `[B, M, N]`, one key mask per query (a pair mask, which transformers and the
/// original use as given): then pair (i, j) is kept when `queryMask[b, i]` and `keyMask[b, i, j]`
/// are non-zero.
public func maskedSoftmax(_ scores: Tensor, queryMask: Tensor, keyMask: Tensor) -> Tensor {
    let batch = scores.dim(0), heads = scores.dim(1), m = scores.dim(2), n = scores.dim(3)
    let pairs = isPairMask(keyMask, batch: batch, queries: m, keys: n)
    precondition(queryMask.count == batch * m && (pairs || keyMask.count == batch * n),
                 "maskedSoftmax: scores \(scores.shape), masks \(queryMask.shape) \(keyMask.shape)")
    let out = Tensor(uninitializedShape: scores.shape)
    let src = scores.data, dst = out.data, qm = queryMask.data, km = keyMask.data
    Parallel.forEach(batch * heads * m, grain: 32) { r in
        for row in r {
            let b = row / (heads * m), i = row % m
            let x = src + row * n, y = dst + row * n
            maskedSoftmaxRow(x, into: y, count: n, keys: km + keyRowOffset(b, i, m: m, n: n, pairs: pairs),
                             queryKept: qm[b * m + i] != 0)
        }
    }
    let probs = out.detached(), shape = scores.shape
    return out.recording([scores]) { g in
        let t = Tensor(uninitializedShape: shape)
        let gp = g.data, yp = probs.data, dp = t.data, qm = queryMask.data, km = keyMask.data
        Parallel.forEach(batch * heads * m, grain: 32) { r in
            for row in r {
                let b = row / (heads * m), i = row % m
                let gy = gp + row * n, y = yp + row * n, dx = dp + row * n
                let keys = km + keyRowOffset(b, i, m: m, n: n, pairs: pairs)
                if qm[b * m + i] == 0 {
                    for j in 0..<n { dx[j] = 0 }
                    continue
                }
                ck_masked_softmax_backward_row(y, gy, keys, dx, n)
            }
        }
        return [t]
    }
}

/// Whether `keyMask` is a `[B, M, N]` pair mask (one key mask per query) rather than `[B, N]`.
@inlinable
func isPairMask(_ keyMask: Tensor, batch: Int, queries m: Int, keys n: Int) -> Bool {
    keyMask.shape.count == 3 && keyMask.shape == [batch, m, n]
}

/// Where the key mask of query `i` of batch entry `b` starts: its own row of a pair mask, else the
/// entry's shared row.
@inlinable
func keyRowOffset(_ b: Int, _ i: Int, m: Int, n: Int, pairs: Bool) -> Int {
    pairs ? (b * m + i) * n : b * n
}

/// One row of ``maskedSoftmax(_:queryMask:keyMask:)``: uniform `1/n` for a dropped query, else the
/// softmax over the kept keys (`y` may be `x`).
@inlinable
func maskedSoftmaxRow(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int,
                      keys: UnsafePointer<Float>, queryKept: Bool) {
    if queryKept {
        ck_masked_softmax_row(x, keys, y, n)
    } else {
        y.update(repeating: 1 / Float(n), count: n)
    }
}

/// Plain softmax over the last axis.
public func softmax(_ x: Tensor) -> Tensor {
    let n = x.dim(-1), rows = x.count / n
    let ones = Tensor(repeating: 1, shape: [rows])
    let keys = Tensor(repeating: 1, shape: [n])
    // A [1, 1, rows, n] view with every pair kept; keyMask is shared by all rows.
    let scores = reshape(x, [1, 1, rows, n])
    return reshape(maskedSoftmax(scores, queryMask: ones, keyMask: keys), x.shape)
}

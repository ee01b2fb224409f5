import DeBERTaKernels

/// Inverted dropout: keeps each element with probability `1 − p` and scales kept values by
/// `1 / (1 − p)`. Element `i` is dropped when `uniform(key, i) < p`, so a mask is reproducible from
/// its key alone (nothing is stored for the backward pass).
public func dropout(_ x: Tensor, probability p: Float, key: UInt64) -> Tensor {
    if p <= 0 { return x }
    precondition(p < 1, "dropout probability must be < 1")
    let scale = 1 / (1 - p)
    // uniform < p  ⇔  (24-bit draw) · 2⁻²⁴ < p  ⇔  draw < ⌈p · 2²⁴⌉ (p · 2²⁴ is exact in float)
    let threshold = UInt64((p * 16_777_216).rounded(.up))
    func apply(_ t: Tensor) -> Tensor {
        let out = Tensor(uninitializedShape: t.shape)
        let src = t.data, dst = out.data
        Parallel.forEach(t.count, grain: 1 << 14) { r in
            ck_dropout(src + r.lowerBound, dst + r.lowerBound, r.count, key, UInt64(r.lowerBound), threshold, scale)
        }
        return out
    }
    return apply(x).recording([x]) { g in [apply(g)] }
}

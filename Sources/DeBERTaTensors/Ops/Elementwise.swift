import Foundation

/// Element-wise arithmetic with gradients.

/// Applies `f` to every element on all cores (forward helper for unary maps).
@inlinable
func mapElements(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape)
    let src = x.data, dst = out.data
    Parallel.forEach(x.count, grain: 1 << 14) { r in
        for i in r { dst[i] = f(src[i]) }
    }
    return out
}

/// Combines two equally shaped tensors element by element.
@inlinable
func zipElements(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    precondition(a.count == b.count, "element-wise op on \(a.shape) and \(b.shape)")
    let out = Tensor(uninitializedShape: a.shape)
    let pa = a.data, pb = b.data, dst = out.data
    Parallel.forEach(a.count, grain: 1 << 14) { r in
        for i in r { dst[i] = f(pa[i], pb[i]) }
    }
    return out
}

/// `a + b` for tensors of the same shape.
public func + (a: Tensor, b: Tensor) -> Tensor {
    zipElements(a, b, +).recording([a, b]) { g in [g, g] }
}

/// `a − b` for tensors of the same shape.
public func - (a: Tensor, b: Tensor) -> Tensor {
    zipElements(a, b, -).recording([a, b]) { g in [g, b.requiresGrad ? g * -1 : nil] }
}

/// `a ⊙ b` for tensors of the same shape.
public func * (a: Tensor, b: Tensor) -> Tensor {
    zipElements(a, b, *).recording([a, b]) { g in
        [a.requiresGrad ? zipElements(g, b.detached(), *) : nil,
         b.requiresGrad ? zipElements(g, a.detached(), *) : nil]
    }
}

/// `x · s` for a scalar `s`.
public func * (x: Tensor, s: Float) -> Tensor {
    mapElements(x) { $0 * s }.recording([x]) { g in [g * s] }
}

/// Multiplies each row of `x` (`[rows, width]` view, e.g. `[B, N, H]` by `[B, N]`) by a
/// constant factor per row, e.g. an attention mask. No gradient flows into `rowScale`.
public func scaleRows(_ x: Tensor, by rowScale: Tensor) -> Tensor {
    let rows = rowScale.count
    precondition(x.count % rows == 0, "scaleRows: \(x.shape) by \(rowScale.shape)")
    let width = x.count / rows
    func apply(_ t: Tensor) -> Tensor {
        let out = Tensor(uninitializedShape: t.shape)
        let s = rowScale.data, src = t.data, dst = out.data
        Parallel.forEach(rows, grain: 64) { r in
            for i in r {
                let f = s[i]
                for j in 0..<width { dst[i * width + j] = src[i * width + j] * f }
            }
        }
        return out
    }
    return apply(x).recording([x]) { g in [apply(g)] }
}

/// Reinterprets the values with a new shape (no copy).
public func reshape(_ x: Tensor, _ shape: [Int]) -> Tensor {
    precondition(shape.reduce(1, *) == x.count, "cannot reshape \(x.shape) to \(shape)")
    let oldShape = x.shape
    return Tensor(shape: shape, storage: x.storage).recording([x]) { g in
        [Tensor(shape: oldShape, storage: g.storage)]
    }
}

/// `x[:, position, :]` of a `[B, N, H]` tensor, as `[B, H]`.
public func selectPosition(_ x: Tensor, _ position: Int) -> Tensor {
    precondition(x.rank == 3 && position < x.dim(1), "selectPosition \(position) of \(x.shape)")
    let b = x.dim(0), n = x.dim(1), h = x.dim(2)
    let out = Tensor(uninitializedShape: [b, h])
    for i in 0..<b { (out.data + i * h).update(from: x.data + (i * n + position) * h, count: h) }
    return out.recording([x]) { g in
        let t = Tensor.zeros(x.shape)
        for i in 0..<b { (t.data + (i * n + position) * h).update(from: g.data + i * h, count: h) }
        return [t]
    }
}

/// Sum of all elements, as a `[1]` tensor.
public func sum(_ x: Tensor) -> Tensor {
    var s: Double = 0
    for i in 0..<x.count { s += Double(x.data[i]) }
    return Tensor([Float(s)], shape: [1]).recording([x]) { g in [Tensor(repeating: g.item, shape: x.shape)] }
}

/// Adds one row vector per batch entry to every position: `x[b, n, :] + v[b, :]`
/// for `x` `[B, N, H]` and `v` `[B, H]`.
public func addPerBatch(_ x: Tensor, _ v: Tensor) -> Tensor {
    let b = x.dim(0), n = x.dim(1), h = x.dim(2)
    precondition(v.count == b * h, "addPerBatch: \(x.shape) + \(v.shape)")
    let out = Tensor(uninitializedShape: x.shape)
    for i in 0..<b {
        for t in 0..<n {
            let o = out.data + (i * n + t) * h, s = x.data + (i * n + t) * h, w = v.data + i * h
            for j in 0..<h { o[j] = s[j] + w[j] }
        }
    }
    return out.recording([x, v]) { g in
        var dv: Tensor? = nil
        if v.requiresGrad {
            let t = Tensor.zeros(v.shape)
            for i in 0..<b {
                for s in 0..<n { for j in 0..<h { t.data[i * h + j] += g.data[(i * n + s) * h + j] } }
            }
            dv = t
        }
        return [g, dv]
    }
}

/// Rows `range` of a `[rows, width]` tensor (a copy); the gradient goes back to those rows.
public func sliceRows(_ x: Tensor, _ range: Range<Int>) -> Tensor {
    precondition(x.rank == 2 && range.lowerBound >= 0 && range.upperBound <= x.dim(0), "sliceRows \(range) of \(x.shape)")
    let width = x.dim(1)
    if range == 0..<x.dim(0) { return x }
    let out = Tensor(uninitializedShape: [range.count, width])
    out.data.update(from: x.data + range.lowerBound * width, count: range.count * width)
    return out.recording([x]) { g in
        let t = Tensor.zeros(x.shape)
        (t.data + range.lowerBound * width).update(from: g.data, count: range.count * width)
        return [t]
    }
}

import Foundation

/// Mean cross-entropy of `logits` (`[rows, classes]`, any leading shape) against integer
/// `labels` (one per row); rows whose label equals `ignoreIndex` (or is negative) are skipped.
/// Returns a `[1]` tensor; 0 when every row is ignored (as PyTorch's sequence-classification loss).
public func crossEntropy(_ logits: Tensor, labels: IndexTensor, ignoreIndex: Int32 = -100) -> Tensor {
    let classes = logits.dim(-1), rows = logits.count / classes
    precondition(labels.count == rows, "crossEntropy: \(rows) rows of logits, \(labels.count) labels")
    let probs = Tensor(uninitializedShape: [rows, classes])
    var total: Double = 0
    var used = 0
    for r in 0..<rows {
        let x = logits.data + r * classes, p = probs.data + r * classes
        var mx = -Float.infinity
        for c in 0..<classes { mx = max(mx, x[c]) }
        var s: Float = 0
        for c in 0..<classes { let e = exp(x[c] - mx); p[c] = e; s += e }
        for c in 0..<classes { p[c] /= s }
        let y = labels.values[r]
        if y == ignoreIndex || y < 0 { continue }
        precondition(Int(y) < classes, "label \(y) outside [0, \(classes))")
        total += Double(mx + log(s) - x[Int(y)])
        used += 1
    }
    let loss = Tensor([used > 0 ? Float(total / Double(used)) : 0], shape: [1])
    let shape = logits.shape
    return loss.recording([logits]) { g in
        let t = Tensor.zeros(shape)
        guard used > 0 else { return [t] }
        let scale = g.item / Float(used)
        for r in 0..<rows {
            let y = labels.values[r]
            if y == ignoreIndex || y < 0 { continue }
            let p = probs.data + r * classes, d = t.data + r * classes
            for c in 0..<classes { d[c] = p[c] * scale }
            d[Int(y)] -= scale
        }
        return [t]
    }
}

/// Mean squared error between `prediction` and `target` (same element count). Returns `[1]`.
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    precondition(prediction.count == target.count, "MSE: \(prediction.shape) vs \(target.shape)")
    let n = prediction.count
    var total: Double = 0
    for i in 0..<n { let d = Double(prediction.data[i] - target.data[i]); total += d * d }
    return Tensor([Float(total / Double(n))], shape: [1]).recording([prediction, target]) { g in
        let s = 2 * g.item / Float(n)
        let d = Tensor(uninitializedShape: prediction.shape)
        for i in 0..<n { d.data[i] = s * (prediction.data[i] - target.data[i]) }
        return [d, target.requiresGrad ? d * -1 : nil]
    }
}

/// Mean binary cross-entropy with logits over the positions where `weight` is non-zero
/// (weighted mean, as the original RTD loss over real tokens). Returns `[1]`.
public func binaryCrossEntropyWithLogits(_ logits: Tensor, targets: Tensor, weight: Tensor? = nil) -> Tensor {
    let n = logits.count
    precondition(targets.count == n && (weight?.count ?? n) == n, "BCE: shapes \(logits.shape), \(targets.shape)")
    var total: Double = 0, wsum: Double = 0
    for i in 0..<n {
        let w = Double(weight?.data[i] ?? 1)
        if w == 0 { continue }
        let x = Double(logits.data[i]), y = Double(targets.data[i])
        total += w * (max(x, 0) - x * y + Foundation.log(1 + Foundation.exp(-abs(x))))
        wsum += w
    }
    let denom = wsum > 0 ? wsum : 1
    return Tensor([Float(total / denom)], shape: [1]).recording([logits]) { g in
        let d = Tensor(uninitializedShape: logits.shape)
        let s = g.item / Float(denom)
        for i in 0..<n {
            let w = weight?.data[i] ?? 1
            let sig = 1 / (1 + exp(-logits.data[i]))
            d.data[i] = w * s * (sig - targets.data[i])
        }
        return [d]
    }
}

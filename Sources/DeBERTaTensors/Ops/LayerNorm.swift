import DeBERTaKernels
import Foundation

/// Layer normalisation over the last axis: `(x − mean) / sqrt(var + eps) · gamma + beta`,
/// with the biased (population) variance, computed in float32 as PyTorch does.
public func layerNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> Tensor {
    let width = x.dim(-1)
    precondition(gamma.count == width && beta.count == width, "layerNorm: \(x.shape) with gamma \(gamma.shape)")
    let rows = x.count / width
    let out = Tensor(uninitializedShape: x.shape)
    let recording = x.requiresGrad || gamma.requiresGrad || beta.requiresGrad
    // The normalised values are kept for the backward pass only.
    let xhat = recording ? Tensor(uninitializedShape: x.shape) : Tensor(uninitializedShape: [0])
    var rstd = [Float](repeating: 0, count: recording ? rows : 0)
    let src = x.data, dst = out.data, nrm: UnsafeMutablePointer<Float>? = recording ? xhat.data : nil
    let gm = gamma.data, bt = beta.data
    rstd.withUnsafeMutableBufferPointer { rs in
        let rsp = recording ? rs.baseAddress : nil
        Parallel.forEach(rows, grain: 16) { r in
            for i in r {
                let inv = ck_layer_norm_row(src + i * width, gm, bt, width, eps, dst + i * width, nrm.map { $0 + i * width })
                rsp?[i] = inv
            }
        }
    }
    let inputNeedsGrad = x.requiresGrad
    return out.recording([x, gamma, beta]) { g in
        let gp = g.data, nrm = xhat.data, gm = gamma.data
        var dx: Tensor? = nil
        if inputNeedsGrad {
            let t = Tensor(uninitializedShape: xhat.shape)
            let dp = t.data
            rstd.withUnsafeBufferPointer { rs in
                let rsp = rs.baseAddress!
                Parallel.forEach(rows, grain: 16) { r in
                    for i in r {
                        // dx = rstd · (gy − mean(gy) − xhat · mean(gy ⊙ xhat)), gy = g ⊙ gamma
                        var sumG: Float = 0, sumGX: Float = 0
                        for j in 0..<width {
                            let gy = gp[i * width + j] * gm[j]
                            sumG += gy
                            sumGX += gy * nrm[i * width + j]
                        }
                        let mg = sumG / Float(width), mgx = sumGX / Float(width)
                        let inv = rsp[i]
                        for j in 0..<width {
                            let gy = gp[i * width + j] * gm[j]
                            dp[i * width + j] = inv * (gy - mg - nrm[i * width + j] * mgx)
                        }
                    }
                }
            }
            dx = t
        }
        var dgamma: Tensor? = nil, dbeta: Tensor? = nil
        if gamma.requiresGrad || beta.requiresGrad {
            let dg = Tensor.zeros([width]), db = Tensor.zeros([width])
            for i in 0..<rows {
                for j in 0..<width {
                    let gij = gp[i * width + j]
                    dg.data[j] += gij * nrm[i * width + j]
                    db.data[j] += gij
                }
            }
            dgamma = dg
            dbeta = db
        }
        return [dx, dgamma, dbeta]
    }
}

import DeBERTa
import Foundation
import TensorCore

/// Adam with decoupled weight decay, in the two forms DeBERTa users meet.
public enum AdamVariant: String, Codable, Sendable {
    /// `torch.optim.AdamW` (what transformers' Trainer uses): bias-corrected moments, decay applied
    /// as `θ ← θ · (1 − lr·wd)` before the update.
    case adamw
    /// The original app's `XAdam` (BERTAdam style): no bias correction, `θ ← θ − lr · (m/(√v + ε) + wd·θ)`.
    case xadam
}

/// Hyper-parameters of ``AdamOptimizer``.
public struct AdamConfiguration: Codable, Sendable {
    public var variant: AdamVariant = .xadam
    // Hyper-parameters are kept in Double, as Python floats are, and rounded to float32 only as
    // the coefficients the update uses (1 − β is formed in Double: 1 − 0.999 ≠ 1 − Float(0.999)).
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var epsilon: Double = 1e-6
    public var weightDecay: Double = 0.01

    public init(variant: AdamVariant = .xadam, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-6, weightDecay: Double = 0.01) {
        self.variant = variant
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// The original's no-decay rule: names containing `bias` or `LayerNorm.weight` are not decayed
    /// (all biases, `q_bias`/`v_bias`, every LayerNorm; embeddings are decayed).
    public static func originalDecays(_ name: String) -> Bool {
        !(name.contains("bias") || name.contains("LayerNorm.weight"))
    }
}

/// Adam / AdamW over a model's parameters, with fp32 moments per parameter.
public final class AdamOptimizer {
    public var configuration: AdamConfiguration
    /// Whether the parameter called `name` gets weight decay.
    public let decays: (String) -> Bool
    /// First and second moments and update count, by parameter name.
    public private(set) var state: [String: (m: Tensor, v: Tensor, step: Int)] = [:]

    public init(_ configuration: AdamConfiguration, decays: @escaping (String) -> Bool = AdamConfiguration.originalDecays) {
        self.configuration = configuration
        self.decays = decays
    }

    /// Updates every parameter that has a gradient in `gradients` (same order as `parameters`),
    /// with learning rate `lr`, after dividing the gradients by `gradientScale`.
    public func step(_ parameters: [Parameter], gradients: [Tensor?], learningRate lr: Float, gradientScale: Float = 1) {
        precondition(parameters.count == gradients.count)
        let c = configuration
        for (p, gradient) in zip(parameters, gradients) {
            guard let g = gradient else { continue }
            var s = state[p.name] ?? (Tensor.zeros(p.value.shape), Tensor.zeros(p.value.shape), 0)
            s.step += 1
            let wd = Float(decays(p.name) ? c.weightDecay : 0)
            let theta = p.value.data, m = s.m.data, v = s.v.data, gp = g.data
            let b1 = Float(c.beta1), b2 = Float(c.beta2), eps = Float(c.epsilon), inv = 1 / gradientScale
            let oneMinusB1 = Float(1 - c.beta1), oneMinusB2 = Float(1 - c.beta2)
            switch c.variant {
            case .adamw:
                let bc1 = 1 - pow(c.beta1, Double(s.step)), bc2 = 1 - pow(c.beta2, Double(s.step))
                let stepSize = Float(Double(lr) / bc1), bc2Sqrt = Float(bc2.squareRoot())
                let decay = Float(1 - Double(lr) * Double(wd))
                Parallel.forEach(p.value.count, grain: 1 << 15) { r in
                    for i in r {
                        let gi = gp[i] * inv
                        theta[i] *= decay
                        m[i] += (gi - m[i]) * oneMinusB1
                        v[i] = v[i] * b2 + oneMinusB2 * gi * gi
                        theta[i] -= stepSize * m[i] / (v[i].squareRoot() / bc2Sqrt + eps)
                    }
                }
            case .xadam:
                Parallel.forEach(p.value.count, grain: 1 << 15) { r in
                    for i in r {
                        let gi = gp[i] * inv
                        m[i] = m[i] * b1 + oneMinusB1 * gi
                        v[i] = v[i] * b2 + oneMinusB2 * gi * gi
                        let update = m[i] / (v[i].squareRoot() + eps) + wd * theta[i]
                        theta[i] -= lr * update
                    }
                }
            }
            p.value.storage.markModified()
            state[p.name] = s
        }
    }

    /// Restores moments saved by ``stateTensors()``.
    public func restore(_ tensors: [String: Tensor], steps: [String: Int]) {
        state = [:]
        for (name, step) in steps {
            guard let m = tensors["m." + name], let v = tensors["v." + name] else { continue }
            state[name] = (m, v, step)
        }
    }

    /// The moments as named tensors (`m.<param>`, `v.<param>`) and the per-parameter step counts.
    public func stateTensors() -> (tensors: [String: Tensor], steps: [String: Int]) {
        var t: [String: Tensor] = [:], steps: [String: Int] = [:]
        for (name, s) in state {
            t["m." + name] = s.m
            t["v." + name] = s.v
            steps[name] = s.step
        }
        return (t, steps)
    }
}

/// Global L2 norm of a set of gradients (in Double), as `clip_grad_norm_` computes it.
public func globalNorm(_ gradients: [Tensor?]) -> Double {
    var total = 0.0
    for g in gradients {
        guard let g else { continue }
        var s = 0.0
        let p = g.data
        for i in 0..<g.count { s += Double(p[i]) * Double(p[i]) }
        total += s
    }
    return total.squareRoot()
}

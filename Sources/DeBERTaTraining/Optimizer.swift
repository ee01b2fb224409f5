import DeBERTaKernels
import DeBERTaModeling
import Foundation
import DeBERTaTensors

/// Adam with decoupled weight decay, in the two forms DeBERTa users meet.
public enum AdamVariant: String, Codable, Sendable {
    /// `torch.optim.AdamW` (what transformers' Trainer uses): bias-corrected moments, decay applied
    /// as `θ ← θ · (1 − lr·wd)` before the update.
    case adamw
    /// The original app's `XAdam` (BERTAdam style): no bias correction, `θ ← θ − lr · (m/(√v + ε) + wd·θ)`.
    case xadam
}

/// Hyper-parameters of ``AdamOptimizer``.
public struct AdamConfiguration: Codable, Sendable, Equatable {
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
        step(parameters, gradients: gradients.map { $0.map { .dense($0) } }, learningRate: lr, gradientScale: gradientScale)
    }

    /// As ``step(_:gradients:learningRate:gradientScale:)-([Parameter],[Tensor?],_,_)``; the rows a
    /// row gradient lacks are updated with a zero gradient, exactly as a dense zero would be.
    public func step(_ parameters: [Parameter], gradients: [Gradient?], learningRate lr: Float, gradientScale: Float = 1) {
        precondition(parameters.count == gradients.count)
        for (p, gradient) in zip(parameters, gradients) {
            guard let gradient else { continue }
            var s = state[p.name] ?? (Tensor.zeros(p.value.shape), Tensor.zeros(p.value.shape), 0)
            s.step += 1
            let update = elementUpdate(for: p, step: s.step, learningRate: lr, gradientScale: gradientScale)
            let theta = p.value.data, m = s.m.data, v = s.v.data
            switch gradient {
            case let .dense(g):
                let gp = g.data
                Parallel.forEach(p.value.count, grain: 1 << 15) { r in
                    update(theta + r.lowerBound, m + r.lowerBound, v + r.lowerBound, gp + r.lowerBound, r.count)
                }
            case let .rows(g):
                let width = g.width
                var slot = [Int32](repeating: -1, count: g.shape[0])
                for (k, r) in g.rows.enumerated() { slot[Int(r)] = Int32(k) }
                let zeros = [Float](repeating: 0, count: width)
                slot.withUnsafeBufferPointer { slots in
                    zeros.withUnsafeBufferPointer { z in
                        Parallel.forEach(g.shape[0], grain: max(1, (1 << 15) / width)) { rows in
                            for row in rows {
                                let o = row * width, k = Int(slots[row])
                                update(theta + o, m + o, v + o, k >= 0 ? UnsafePointer(g.values.data + k * width) : z.baseAddress!, width)
                            }
                        }
                    }
                }
            }
            p.value.storage.markModified()
            state[p.name] = s
        }
    }

    /// The update of `count` consecutive elements of parameter `p` at update number `step`:
    /// `(θ, m, v, g, count)`, by the C kernels (AVX-512 where available).
    private func elementUpdate(for p: Parameter, step: Int, learningRate lr: Float, gradientScale: Float)
        -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void {
        let c = configuration
        let wd = Float(decays(p.name) ? c.weightDecay : 0)
        var k = ck_adam_constants()
        k.inv_scale = 1 / gradientScale
        k.beta1 = Float(c.beta1)
        k.one_minus_beta1 = Float(1 - c.beta1)
        k.beta2 = Float(c.beta2)
        k.one_minus_beta2 = Float(1 - c.beta2)
        k.eps = Float(c.epsilon)
        switch c.variant {
        case .adamw:
            let bc1 = 1 - pow(c.beta1, Double(step)), bc2 = 1 - pow(c.beta2, Double(step))
            k.step_size = Float(Double(lr) / bc1)
            k.bias_correction2_sqrt = Float(bc2.squareRoot())
            k.decay = Float(1 - Double(lr) * Double(wd))
            let constants = k
            return { theta, m, v, g, n in withUnsafePointer(to: constants) { ck_adamw_update(theta, m, v, g, n, $0) } }
        case .xadam:
            k.weight_decay = wd
            k.lr = lr
            let constants = k
            return { theta, m, v, g, n in withUnsafePointer(to: constants) { ck_xadam_update(theta, m, v, g, n, $0) } }
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
    globalNorm(gradients.map { $0.map { .dense($0) } })
}

/// Global L2 norm of a set of gradients, dense or row-sparse.
public func globalNorm(_ gradients: [Gradient?]) -> Double {
    gradients.reduce(0.0) { $0 + ($1?.squaredNorm ?? 0) }.squareRoot()
}

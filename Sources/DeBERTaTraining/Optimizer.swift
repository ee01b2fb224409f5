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
    /// XAdam only (`--opt_type admax`): the original's Adamax form, `v ← max(β2·v, |g|)` and the
    /// update `m / (v + ε)`.
    public var maxNorm = false
    /// XAdam only (`--with_radam True`): the original's rectified Adam. The learning rate of a
    /// parameter's update t is scaled by `√(1 − β2^t)·√((ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρ_t)) / (1 − β1^t)`
    /// while `ρ_t > 4`, and by 0 before (the moments still advance).
    public var rectified = false
    /// `--lookahead_k`: every this many updates the weights become `slow·(1 − α) + fast·α`, which is
    /// also the new slow copy (Lookahead, as the original's `Fp16Optimizer` does it); ≤ 0 turns it off.
    public var lookaheadSteps = -1
    /// `--lookahead_alpha`: α above.
    public var lookaheadAlpha: Double = 0.5

    public init(variant: AdamVariant = .xadam, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-6, weightDecay: Double = 0.01,
                maxNorm: Bool = false, rectified: Bool = false, lookaheadSteps: Int = -1, lookaheadAlpha: Double = 0.5) {
        self.variant = variant
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.maxNorm = maxNorm
        self.rectified = rectified
        self.lookaheadSteps = lookaheadSteps
        self.lookaheadAlpha = lookaheadAlpha
    }

    /// Reads a checkpoint's settings; those it lacks (written before they existed) keep their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let stored = try c.decodeIfPresent(T.self, forKey: key) { value = stored }
        }
        try read(.variant, &variant)
        try read(.beta1, &beta1)
        try read(.beta2, &beta2)
        try read(.epsilon, &epsilon)
        try read(.weightDecay, &weightDecay)
        try read(.maxNorm, &maxNorm)
        try read(.rectified, &rectified)
        try read(.lookaheadSteps, &lookaheadSteps)
        try read(.lookaheadAlpha, &lookaheadAlpha)
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
    /// Lookahead's slow weights, by parameter name (empty unless ``AdamConfiguration/lookaheadSteps`` > 0).
    public private(set) var slowWeights: [String: Tensor] = [:]
    /// Updates since Lookahead last synchronised the weights.
    public private(set) var lookaheadCount = 0

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
        let lookahead = configuration.lookaheadSteps > 0
        if lookahead {
            // The slow copy starts as the weights before the first update.
            for (p, g) in zip(parameters, gradients) where g != nil && slowWeights[p.name] == nil {
                slowWeights[p.name] = Tensor(p.value.scalars, shape: p.value.shape)
            }
        }
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
        if lookahead {
            lookaheadCount += 1
            if lookaheadCount == configuration.lookaheadSteps {
                lookaheadCount = 0
                synchronizeLookahead(parameters.filter { slowWeights[$0.name] != nil })
            }
        }
    }

    /// `slow ← slow·(1 − α) + fast·α; fast ← slow`, in the original's order of float32 operations.
    private func synchronizeLookahead(_ parameters: [Parameter]) {
        let alpha = Float(configuration.lookaheadAlpha), keep = Float(1 - configuration.lookaheadAlpha)
        for p in parameters {
            let slow = slowWeights[p.name]!.data, fast = p.value.data
            for i in 0..<p.value.count {
                let mixed = slow[i] * keep + fast[i] * alpha
                slow[i] = mixed
                fast[i] = mixed
            }
            p.value.storage.markModified()
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
            k.lr = c.rectified ? Float(Double(lr) * rectification(step: step)) : lr
            let constants = k
            if c.maxNorm { return { theta, m, v, g, n in Self.adamaxUpdate(theta, m, v, g, n, constants) } }
            return { theta, m, v, g, n in withUnsafePointer(to: constants) { ck_xadam_update(theta, m, v, g, n, $0) } }
        }
    }

    /// RAdam's multiplier of the learning rate at a parameter's update `t` (1-based), as the
    /// original's XAdam computes it (in Double, as Python does); 0 while the variance is intractable.
    func rectification(step t: Int) -> Double {
        let b1 = configuration.beta1, b2 = configuration.beta2, t = Double(t)
        let rhoInfinity = 2 / (1 - b2) - 1
        let rho = rhoInfinity - 2 * t / (pow(b2, -t) - 1)
        guard rho > 4 else { return 0 }
        return 1 / (1 - pow(b1, t)) * (1 - pow(b2, t)).squareRoot()
            * (((rho - 4) * (rho - 2) * rhoInfinity) / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho)).squareRoot()
    }

    /// The original's Adamax form of XAdam (`--opt_type admax`) over `n` elements:
    /// m ← m·β1 + (1 − β1)·g; v ← max(v·β2, |g|); θ ← θ − lr·(m / (v + ε) + wd·θ). Rarely used, so
    /// plain Swift rather than a vector kernel.
    static func adamaxUpdate(_ theta: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                             _ g: UnsafePointer<Float>, _ n: Int, _ c: ck_adam_constants) {
        for i in 0..<n {
            let gi = g[i] * c.inv_scale
            let mi = m[i] * c.beta1 + c.one_minus_beta1 * gi
            let vi = max(v[i] * c.beta2, abs(gi))
            m[i] = mi
            v[i] = vi
            var update = mi / (vi + c.eps)
            if c.weight_decay > 0 { update += c.weight_decay * theta[i] }
            theta[i] = theta[i] - c.lr * update
        }
    }

    /// The key of Lookahead's counter among ``stateTensors()``'s step counts (no parameter name has a `#`).
    static let lookaheadCountKey = "#lookahead"

    /// Restores moments (and Lookahead's slow weights) saved by ``stateTensors()``.
    public func restore(_ tensors: [String: Tensor], steps: [String: Int]) {
        state = [:]
        for (name, step) in steps {
            guard let m = tensors["m." + name], let v = tensors["v." + name] else { continue }
            state[name] = (m, v, step)
        }
        slowWeights = [:]
        for (key, t) in tensors where key.hasPrefix("slow.") { slowWeights[String(key.dropFirst(5))] = t }
        lookaheadCount = steps[Self.lookaheadCountKey] ?? 0
    }

    /// The moments as named tensors (`m.<param>`, `v.<param>`, and `slow.<param>` with Lookahead) and
    /// the per-parameter step counts (and Lookahead's counter).
    public func stateTensors() -> (tensors: [String: Tensor], steps: [String: Int]) {
        var t: [String: Tensor] = [:], steps: [String: Int] = [:]
        for (name, s) in state {
            t["m." + name] = s.m
            t["v." + name] = s.v
            steps[name] = s.step
        }
        for (name, w) in slowWeights { t["slow." + name] = w }
        if !slowWeights.isEmpty { steps[Self.lookaheadCountKey] = lookaheadCount }
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

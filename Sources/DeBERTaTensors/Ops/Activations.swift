import DeBERTaKernels
import Foundation

/// The activation functions of DeBERTa configurations (`hidden_act`, `pooler_hidden_act`, `conv_act`).
public enum Activation: String, Sendable, Codable {
    /// Exact GELU, `x · Φ(x)` with the error function.
    case gelu
    /// GELU's tanh approximation (`gelu_new`, `gelu_pytorch_tanh`).
    case geluTanh = "gelu_new"
    case relu
    case tanh
    /// `x · σ(x)` (`swish`, `silu`).
    case silu
    case sigmoid
    case identity = "linear"

    /// Parses the names used in Hugging Face configurations.
    public init?(configName: String) {
        switch configName.lowercased() {
        case "gelu": self = .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": self = .geluTanh
        case "relu": self = .relu
        case "tanh": self = .tanh
        case "swish", "silu": self = .silu
        case "sigmoid": self = .sigmoid
        case "linear", "identity", "none": self = .identity
        default: return nil
        }
    }

    @inlinable func value(_ x: Float) -> Float {
        switch self {
        case .gelu: return 0.5 * x * (1 + erf(x * 0.70710678118654752))
        case .geluTanh:
            let u = 0.7978845608028654 * (x + 0.044715 * x * x * x)
            return 0.5 * x * (1 + Foundation.tanh(u))
        case .relu: return x > 0 ? x : 0
        case .tanh: return Foundation.tanh(x)
        case .silu: return x / (1 + exp(-x))
        case .sigmoid: return 1 / (1 + exp(-x))
        case .identity: return x
        }
    }

    @inlinable func derivative(_ x: Float) -> Float {
        switch self {
        case .gelu:
            return 0.5 * (1 + erf(x * 0.70710678118654752)) + x * 0.3989422804014327 * exp(-0.5 * x * x)
        case .geluTanh:
            let u = 0.7978845608028654 * (x + 0.044715 * x * x * x)
            let t = Foundation.tanh(u)
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * 0.7978845608028654 * (1 + 3 * 0.044715 * x * x)
        case .relu: return x > 0 ? 1 : 0
        case .tanh: let t = Foundation.tanh(x); return 1 - t * t
        case .silu: let s = 1 / (1 + exp(-x)); return s * (1 + x * (1 - s))
        case .sigmoid: let s = 1 / (1 + exp(-x)); return s * (1 - s)
        case .identity: return 1
        }
    }
}

/// Applies `activation` element-wise.
public func activate(_ x: Tensor, _ activation: Activation) -> Tensor {
    if activation == .identity { return x }
    if activation == .gelu { return geluKernel(x) }
    return mapElements(x) { activation.value($0) }.recording([x]) { g in
        [zipElements(g, x.detached()) { gi, xi in gi * activation.derivative(xi) }]
    }
}

/// Exact (erf) GELU.
public func gelu(_ x: Tensor) -> Tensor { activate(x, .gelu) }

/// GELU through the C kernels (AVX-512 where available), forward and backward, over all cores.
func geluKernel(_ x: Tensor) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape)
    let src = x.data, dst = out.data
    Parallel.forEach(x.count, grain: 1 << 14) { r in ck_gelu_forward(src + r.lowerBound, dst + r.lowerBound, r.count) }
    return out.recording([x]) { g in
        let t = Tensor(uninitializedShape: x.shape)
        let xs = x.data, gs = g.data, d = t.data
        Parallel.forEach(x.count, grain: 1 << 14) { r in ck_gelu_backward(xs + r.lowerBound, gs + r.lowerBound, d + r.lowerBound, r.count) }
        return [t]
    }
}
/// Hyperbolic tangent.
public func tanh(_ x: Tensor) -> Tensor { activate(x, .tanh) }

import Foundation

/// The original app's learning-rate schedules (DeBERTa/optims/lr_schedulers.py): a multiplier of the
/// base learning rate at update `step` (0-based) of `total`, with `warmup` a fraction of `total`.
public enum LearningRateSchedule: String, Codable, Sendable, CaseIterable {
    /// Linear warm-up, then `1 − x` (the learning rate drops to `lr·(1 − warmup)` right after warm-up).
    case warmupLinear = "warmup_linear"
    /// Linear warm-up, then the continuous linear decay `1 − (x − warmup)/(1 − warmup)`.
    case warmupLinearShift = "warmup_linear_shift"
    case warmupCosine = "warmup_cosine"
    case warmupConstant = "warmup_constant"
    case warmupLinearCosine = "warmup_linear_cosine"

    /// The multiplier at `step` of `total` (`ends`: the floor the decay approaches).
    public func multiplier(step: Int, total: Int, warmup: Double, ends: Double = 0) -> Double {
        guard total > 0 else { return 1 }
        var x = Double(step) / Double(total)
        x -= x.rounded(.towardZero)
        if x < warmup { return x / warmup }
        switch self {
        case .warmupLinear: return (1 - ends) * (1 - x) + ends
        case .warmupLinearShift: return (1 - ends) * (1 - (x - warmup) / (1 - warmup)) + ends
        case .warmupCosine: return 0.5 * (1 + cos(Double.pi * x))
        case .warmupConstant: return 1
        case .warmupLinearCosine: return (1 - ends) * max(0.5 * (1 + cos(Double.pi * (x - warmup) / (1 - warmup))), 0) + ends
        }
    }

    /// `--warmup W`: a fraction when W < 1, else a number of steps (converted to a fraction of `total`).
    public static func warmupFraction(_ w: Double, totalSteps: Int) -> Double {
        w < 1 ? w : w / Double(max(totalSteps, 1))
    }
}

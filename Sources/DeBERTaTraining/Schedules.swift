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
    /// Four cosine-shaped linear-decay cycles after warm-up; unlike the others it does not wrap
    /// around past `total`.
    case warmupCyclicLinearCosine = "warmup_cyclic_linear_cosine"

    /// The multiplier at `step` of `total` (`ends`: the floor the decay approaches).
    public func multiplier(step: Int, total: Int, warmup: Double, ends: Double = 0) -> Double {
        guard total > 0 else { return 1 }
        if self == .warmupCyclicLinearCosine { return Self.cyclicLinearCosine(step: step, total: total, warmup: warmup, ends: ends) }
        var x = Double(step) / Double(total)
        x -= x.rounded(.towardZero)
        if x < warmup { return x / warmup }
        switch self {
        case .warmupLinear: return (1 - ends) * (1 - x) + ends
        case .warmupLinearShift: return (1 - ends) * (1 - (x - warmup) / (1 - warmup)) + ends
        case .warmupCosine: return 0.5 * (1 + cos(Double.pi * x))
        case .warmupConstant: return 1
        case .warmupLinearCosine: return (1 - ends) * max(0.5 * (1 + cos(Double.pi * (x - warmup) / (1 - warmup))), 0) + ends
        case .warmupCyclicLinearCosine: return Self.cyclicLinearCosine(step: step, total: total, warmup: warmup, ends: ends)
        }
    }

    /// The original's `warmup_cyclic_linear_cosine`, line by line (its second line shifts `step` by
    /// the warm-up of the already shortened `total`, and so does this).
    static func cyclicLinearCosine(step: Int, total: Int, warmup: Double, ends: Double) -> Double {
        let x = Double(step) / Double(total)
        if x < warmup { return x / warmup }
        let total = total - Int(Double(total) * warmup)
        let step = step - Int(Double(total) * warmup)
        let cycles = 4
        // The original divides by zero here (fewer than 4 steps after warm-up); one step a period instead.
        let period = max(total / cycles, 1)
        let k = Int((Double(step) / Double(period)).rounded(.down))
        let s = 1 - Double(k) / Double(cycles)
            + 1 / (2 * Double(cycles)) * (pow(-1, Double(k)) * cos(Double.pi * Double(step) / Double(period)) - 1)
        return (1 - ends) * max(s, 0) + ends
    }

    /// `--warmup W`: a fraction when W < 1, else a number of steps (converted to a fraction of `total`).
    public static func warmupFraction(_ w: Double, totalSteps: Int) -> Double {
        w < 1 ? w : w / Double(max(totalSteps, 1))
    }
}

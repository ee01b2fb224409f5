/// Settings of a run that the optimizer step depends on (the original app's flags). Stored in
/// fine-tuning checkpoints (`trainer_state.json`).
public struct TrainingOptions: Codable, Sendable, Equatable {
    public var learningRate: Double = 2e-5
    /// `--warmup`: fraction of the steps (< 1) or a number of steps.
    public var warmup: Double = 0.1
    public var schedule: LearningRateSchedule = .warmupLinear
    public var totalSteps: Int = 0
    /// `--accumulative_update`: the batch is split into this many chunks, one optimizer step.
    public var accumulativeUpdate: Int = 1
    /// Global-norm clipping threshold; ≤ 0 disables it.
    public var maxGradNorm: Double = 1
    public var adam = AdamConfiguration()
    /// The linear layers' matrix products in bfloat16 with float32 accumulation during the update's
    /// forward and backward passes (needs oneDNN); master weights, gradients, attention scores,
    /// softmax and LayerNorm stay float32. `deberta train --fp16 True` turns it on.
    public var bf16MatrixProducts = false
    /// The original's dynamic loss scaling (``DynamicLossScaler``, from `lossScale`, doubling after
    /// `scaleSteps` clean updates): a step whose gradients overflow is skipped and retried at half
    /// the scale. `--fp16 True` turns it on in `deberta train` and `deberta pretrain`.
    public var dynamicLossScaling = false
    public var lossScale: Float = 16384
    public var scaleSteps: Int = 250
    public var seed: UInt64 = 1234

    public init() {}

    enum CodingKeys: String, CodingKey {
        case learningRate, warmup, schedule, totalSteps, accumulativeUpdate, maxGradNorm, adam
        case bf16MatrixProducts, dynamicLossScaling, lossScale, scaleSteps, seed
        /// Checkpoints written before the two mixed-precision settings were split hold one `fp16`,
        /// which meant both.
        case fp16
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        warmup = try c.decode(Double.self, forKey: .warmup)
        schedule = try c.decode(LearningRateSchedule.self, forKey: .schedule)
        totalSteps = try c.decode(Int.self, forKey: .totalSteps)
        accumulativeUpdate = try c.decode(Int.self, forKey: .accumulativeUpdate)
        maxGradNorm = try c.decode(Double.self, forKey: .maxGradNorm)
        adam = try c.decode(AdamConfiguration.self, forKey: .adam)
        let fp16 = try c.decodeIfPresent(Bool.self, forKey: .fp16)
        bf16MatrixProducts = try c.decodeIfPresent(Bool.self, forKey: .bf16MatrixProducts) ?? fp16 ?? false
        dynamicLossScaling = try c.decodeIfPresent(Bool.self, forKey: .dynamicLossScaling) ?? fp16 ?? false
        lossScale = try c.decode(Float.self, forKey: .lossScale)
        scaleSteps = try c.decode(Int.self, forKey: .scaleSteps)
        seed = try c.decode(UInt64.self, forKey: .seed)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(warmup, forKey: .warmup)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(totalSteps, forKey: .totalSteps)
        try c.encode(accumulativeUpdate, forKey: .accumulativeUpdate)
        try c.encode(maxGradNorm, forKey: .maxGradNorm)
        try c.encode(adam, forKey: .adam)
        try c.encode(bf16MatrixProducts, forKey: .bf16MatrixProducts)
        try c.encode(dynamicLossScaling, forKey: .dynamicLossScaling)
        try c.encode(lossScale, forKey: .lossScale)
        try c.encode(scaleSteps, forKey: .scaleSteps)
        try c.encode(seed, forKey: .seed)
    }

    /// The learning rate at update `step` (0-based): `learningRate` times the schedule's multiplier.
    public func learningRate(atStep step: Int) -> Double {
        let warmupFraction = LearningRateSchedule.warmupFraction(warmup, totalSteps: totalSteps)
        return learningRate * schedule.multiplier(step: step, total: totalSteps, warmup: warmupFraction)
    }
}

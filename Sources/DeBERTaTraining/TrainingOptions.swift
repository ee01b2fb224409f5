/// Settings of a run that the optimizer step depends on (the original app's flags). Stored in
/// fine-tuning checkpoints (`trainer_state.json`).
public struct TrainingOptions: Codable, Sendable, Equatable {
    public var learningRate: Double = 2e-5
    /// `--warmup`: fraction of the steps (< 1) or a number of steps.
    public var warmup: Double = 0.1
    public var schedule: LearningRateSchedule = .warmupLinear
    /// `--lr_schedule_ends`: the fraction of the learning rate the decay ends at (0: it ends at 0).
    public var scheduleEnds: Double = 0
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

    /// Checkpoints written before the two mixed-precision settings were split hold one `fp16`,
    /// which meant both.
    private enum LegacyKeys: String, CodingKey { case fp16 }

    /// Reads the options of a checkpoint; a setting it lacks keeps its default.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let stored = try c.decodeIfPresent(T.self, forKey: key) { value = stored }
        }
        try read(.learningRate, &learningRate)
        try read(.warmup, &warmup)
        try read(.schedule, &schedule)
        try read(.scheduleEnds, &scheduleEnds)
        try read(.totalSteps, &totalSteps)
        try read(.accumulativeUpdate, &accumulativeUpdate)
        try read(.maxGradNorm, &maxGradNorm)
        try read(.adam, &adam)
        if let fp16 = try decoder.container(keyedBy: LegacyKeys.self).decodeIfPresent(Bool.self, forKey: .fp16) {
            bf16MatrixProducts = fp16
            dynamicLossScaling = fp16
        }
        try read(.bf16MatrixProducts, &bf16MatrixProducts)
        try read(.dynamicLossScaling, &dynamicLossScaling)
        try read(.lossScale, &lossScale)
        try read(.scaleSteps, &scaleSteps)
        try read(.seed, &seed)
    }

    /// The learning rate at update `step` (0-based): `learningRate` times the schedule's multiplier.
    public func learningRate(atStep step: Int) -> Double {
        let warmupFraction = LearningRateSchedule.warmupFraction(warmup, totalSteps: totalSteps)
        return learningRate * schedule.multiplier(step: step, total: totalSteps, warmup: warmupFraction, ends: scheduleEnds)
    }
}

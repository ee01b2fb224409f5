/// One line of `training_log.jsonl`: an optimizer step's `step`, `epoch` (1-based), its
/// ``StepResult`` (`loss`, `learning_rate`, `grad_norm`, `skipped`), and any further numeric fields
/// (pretraining: the two models' losses, masked and replaced tokens, …).
public struct TrainingLogEntry: Codable, Sendable, Equatable {
    public var step: Int
    /// The epoch the step belongs to, counted from 1.
    public var epoch: Int
    public var result: StepResult
    public var extra: [String: Double]

    /// The entry of update `step` in 0-based `epoch`.
    public init(step: Int, epoch: Int, result: StepResult, extra: [String: Double] = [:]) {
        self.step = step
        self.epoch = epoch + 1
        self.result = result
        self.extra = extra
    }

    static let fields: Set<String> = ["step", "epoch", "loss", "learning_rate", "grad_norm", "skipped"]

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: RecordKey.self)
        step = try c.decode(Int.self, forKey: "step")
        epoch = try c.decode(Int.self, forKey: "epoch")
        result = StepResult(loss: try c.decodeNumber(forKey: "loss"), learningRate: try c.decodeNumber(forKey: "learning_rate"),
                            gradientNorm: try c.decodeNumber(forKey: "grad_norm"), skipped: try c.decode(Int.self, forKey: "skipped"))
        extra = c.numbers(excluding: Self.fields)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: RecordKey.self)
        try c.encode(step, forKey: "step")
        try c.encode(epoch, forKey: "epoch")
        try c.encodeNumber(result.loss, forKey: "loss")
        try c.encodeNumber(result.learningRate, forKey: "learning_rate")
        try c.encodeNumber(result.gradientNorm, forKey: "grad_norm")
        try c.encode(result.skipped, forKey: "skipped")
        for (name, value) in extra where !Self.fields.contains(name) { try c.encodeNumber(value, forKey: name) }
    }
}

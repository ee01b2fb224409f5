import ArgumentParser
import Logging
import DeBERTaTensors
import DeBERTaTraining

/// The optimizer, schedule, precision and run flags that `deberta train` and `deberta pretrain`
/// share (the original app's names).
struct OptimizationOptions: ParsableArguments {
    @Option(name: .customLong("learning_rate"), help: "Peak learning rate (train: 2e-5, pretrain: 1e-4 by default).") var learningRate: Double?
    @Option(name: [.customLong("warmup"), .customLong("warmup_proportion")], help: "Fraction (< 1) or steps.") var warmup = 0.1
    @Option(name: .customLong("accumulative_update"), help: "Split each batch into N chunks, one optimizer step.") var accumulativeUpdate = 1
    @Option(name: .customLong("loss_scale")) var lossScale: Float = 16384
    @Option(name: .customLong("scale_steps")) var scaleSteps = 250
    @Option(name: .customLong("fp16"), help: "True: dynamic loss scaling; train also runs the matrix products in bf16 (the original's name for mixed precision).") var fp16 = FlagValue(argument: "false")!
    @Option(name: .customLong("seed")) var seed: UInt64 = 1234
    @Option(name: .customLong("weight_decay")) var weightDecay = 0.01
    @Option(name: .customLong("max_grad_norm")) var maxGradNorm = 1.0
    @Option(name: .customLong("epsilon")) var epsilon = 1e-6
    @Option(name: .customLong("lr_schedule"), help: "warmup_linear, warmup_linear_shift, warmup_cosine, warmup_constant, warmup_linear_cosine.") var lrSchedule = "warmup_linear"
    @Option(name: .customLong("optimizer"), help: "xadam (the original) or adamw (torch/transformers).") var optimizer = "xadam"
    @Option(name: .customLong("tag"), help: "Accepted for compatibility; unused.") var tag: String?
    @Option(name: .customLong("threads"), help: "Threads for our kernels and BLAS (default: all cores).") var threads: Int?

    /// Thread budget, log output and clean stops for a run: SIGTERM or SIGINT makes the training
    /// loop write a checkpoint and end (``StopRequest``) instead of killing the process mid-step.
    func prepareRun() {
        StopRequest.install()
        if let threads { Threading.setThreads(threads) }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
    }

    /// Writes the flags into `t`. `--fp16` turns on loss scaling here; `deberta train` adds the
    /// bf16 products itself (pretraining keeps float32 products, as it always has).
    func apply(to t: inout TrainingOptions, defaultLearningRate: Double) throws {
        t.learningRate = learningRate ?? defaultLearningRate
        t.warmup = warmup
        guard let schedule = LearningRateSchedule(rawValue: lrSchedule) else { throw CLIError("unknown --lr_schedule \(lrSchedule)") }
        t.schedule = schedule
        t.accumulativeUpdate = max(1, accumulativeUpdate)
        t.maxGradNorm = maxGradNorm
        guard let variant = AdamVariant(rawValue: optimizer.lowercased()) else { throw CLIError("unknown --optimizer \(optimizer) (xadam or adamw)") }
        t.adam = AdamConfiguration(variant: variant, epsilon: epsilon, weightDecay: weightDecay)
        t.dynamicLossScaling = fp16.value
        t.lossScale = lossScale
        t.scaleSteps = scaleSteps
        t.seed = seed
    }
}

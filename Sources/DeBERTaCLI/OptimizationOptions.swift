import ArgumentParser
import Foundation
import Logging
import DeBERTaTensors
import DeBERTaTraining

/// The optimizer, schedule, precision and trainer flags that `deberta train` and `deberta pretrain`
/// share: the original app's `optims/args.py` and `training/args.py` groups, under their names and
/// with their meanings, plus `--optimizer` and `--threads`.
struct OptimizationOptions: ParsableArguments {
    // MARK: The original's optimizer group (DeBERTa/optims/args.py)

    @Option(name: .customLong("learning_rate"), help: "Peak learning rate (train: 5e-5, the original's default; pretrain: 1e-4).") var learningRate: Double?
    @Option(name: [.customLong("warmup"), .customLong("warmup_proportion")], help: "Fraction (< 1) or steps.") var warmup = 0.1
    @Option(name: .customLong("lr_schedule"), help: "warmup_linear, warmup_linear_shift, warmup_cosine, warmup_constant, warmup_linear_cosine or warmup_cyclic_linear_cosine.") var lrSchedule = "warmup_linear"
    @Option(name: .customLong("lr_schedule_ends"), help: "The fraction of the learning rate the decay ends at.") var lrScheduleEnds = 0.0
    @Option(name: .customLong("loss_scale")) var lossScale: Float = 16384
    @Option(name: .customLong("scale_steps")) var scaleSteps = 250
    @Option(name: .customLong("fp16"), help: "True: dynamic loss scaling; train also runs the matrix products in bf16 (the original's name for mixed precision).") var fp16 = FlagValue(argument: "false")!
    @Option(name: .customLong("weight_decay")) var weightDecay = 0.01
    @Option(name: .customLong("max_grad_norm")) var maxGradNorm = 1.0
    @Option(name: .customLong("epsilon")) var epsilon = 1e-6
    @Option(name: .customLong("adam_beta1")) var adamBeta1 = 0.9
    @Option(name: .customLong("adam_beta2")) var adamBeta2 = 0.999
    @Option(name: .customLong("opt_type"), help: "adam, or admax (XAdam's Adamax form: v = max(β2·v, |g|)).") var optType = "adam"
    @Option(name: .customLong("with_radam"), help: "True: XAdam's rectified (RAdam) learning rate.") var withRadam = FlagValue(argument: "false")!
    @Option(name: .customLong("lookahead_k"), help: "Lookahead: every k updates the weights move to slow + α·(fast − slow); ≤ 0 is off.") var lookaheadK = -1
    @Option(name: .customLong("lookahead_alpha"), help: "Lookahead's α.") var lookaheadAlpha = 0.5

    // MARK: The original's trainer group (DeBERTa/training/args.py)

    @Option(name: .customLong("accumulative_update"), help: "Split each batch into N chunks, one optimizer step.") var accumulativeUpdate = 1
    @Option(name: .customLong("seed")) var seed: UInt64 = 1234
    @Option(name: .customLong("workers"), help: "The original's data-loader worker processes. Batches are built in the training process here, so the value only appears in the log.") var workers = 2
    @Option(name: .customLong("local_rank"), help: "-1 or 0: one process (distributed training is not supported).") var localRank = -1
    @Option(name: .customLong("world_size"), help: "-1 or 1: one process (distributed training is not supported).") var worldSize = -1
    @Option(name: .customLong("rank"), help: "-1 or 0: one process (distributed training is not supported).") var rank = -1
    @Option(name: .customLong("master_ip"), help: "Read by the original's distributed runs only, which are not supported; accepted and unused.") var masterIP: String?
    @Option(name: .customLong("master_port"), help: "Read by the original's distributed runs only, which are not supported; accepted and unused.") var masterPort: String?

    // MARK: The original's run flag shared by both commands, and this port's own

    @Option(name: .customLong("tag"), help: "A name for the run (default: the original's 'final'): train writes it into every eval_results.jsonl record (the original put it into its result file names); pretrain logs it.") var tag: String?
    @Option(name: .customLong("optimizer"), help: "xadam (the original) or adamw (torch/transformers).") var optimizer = "xadam"
    @Option(name: .customLong("threads"), help: "Threads for our kernels and BLAS (default: all cores).") var threads: Int?

    /// The settings this port refuses, each with its one-line reason (empty when it can run them).
    func unsupportedSettings() -> [String] {
        var reasons: [String] = []
        if localRank > 0 || worldSize > 1 || rank > 0 {
            reasons.append("distributed training (--local_rank \(localRank), --world_size \(worldSize), --rank \(rank)) is not supported: this port trains in one process")
        }
        return reasons
    }

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
        let logger = Logger(label: "deberta")
        if let tag { logger.info("run tag: \(tag)") }
        if workers != 2 { logger.info("--workers \(workers): batches are built in the training process (no data-loader workers)") }
    }

    /// Writes the flags into `t`. `--fp16` turns on loss scaling here; `deberta train` adds the
    /// bf16 products itself (pretraining keeps float32 products, as it always has).
    func apply(to t: inout TrainingOptions, defaultLearningRate: Double) throws {
        t.learningRate = learningRate ?? defaultLearningRate
        t.warmup = warmup
        guard let schedule = LearningRateSchedule(rawValue: lrSchedule) else {
            throw CLIError("unknown --lr_schedule \(lrSchedule) (\(LearningRateSchedule.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        t.schedule = schedule
        t.scheduleEnds = lrScheduleEnds
        t.accumulativeUpdate = max(1, accumulativeUpdate)
        t.maxGradNorm = maxGradNorm
        guard let variant = AdamVariant(rawValue: optimizer.lowercased()) else { throw CLIError("unknown --optimizer \(optimizer) (xadam or adamw)") }
        let type = optType.lowercased()
        guard ["adam", "admax"].contains(type) else { throw CLIError("--opt_type must be adam or admax, not \(optType)") }
        if variant == .adamw && (type == "admax" || withRadam.value) {
            throw CLIError("--opt_type admax and --with_radam are forms of the original XAdam: use them with --optimizer xadam")
        }
        guard (0..<1).contains(adamBeta1), (0..<1).contains(adamBeta2) else {
            throw CLIError("--adam_beta1 and --adam_beta2 must be in [0, 1) (got \(adamBeta1), \(adamBeta2))")
        }
        t.adam = AdamConfiguration(variant: variant, beta1: adamBeta1, beta2: adamBeta2, epsilon: epsilon, weightDecay: weightDecay,
                                   maxNorm: type == "admax", rectified: withRadam.value,
                                   lookaheadSteps: lookaheadK, lookaheadAlpha: lookaheadAlpha)
        t.dynamicLossScaling = fp16.value
        t.lossScale = lossScale
        t.scaleSteps = scaleSteps
        t.seed = seed
    }
}

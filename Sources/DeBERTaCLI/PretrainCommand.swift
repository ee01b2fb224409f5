import ArgumentParser
import Foundation
import Logging
import DeBERTaPretraining
import DeBERTaTensors
import DeBERTaTraining

/// `deberta pretrain`: MLM (with the Enhanced Mask Decoder) or RTD (generator + discriminator with
/// GDES) pretraining with the original app's flags.
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain DeBERTa: masked LM with the Enhanced Mask Decoder (mlm) or replaced-token detection with GDES (rtd).",
        discussion: """
        --data_dir holds train.txt and valid.txt from `deberta prepare-data` (same --max_seq_len).
        --model_config: an RTD file with "generator" and "discriminator" sections (rtd_*.json), one
        config.json (for rtd the generator gets half its layers), or a shape name (v3-xsmall, …).
        Outputs in --output_dir: training_log.jsonl, eval_results.jsonl (every --dump_interval steps),
        checkpoints/ (for --resume), and Hugging Face folders: model/ (mlm) or generator/ and
        discriminator/ (rtd), which `deberta train --pre_trained` and `deberta fill-mask` read.
        Example:
          deberta pretrain --task rtd --data_dir data --output_dir out/rtd --model_config rtd_small.json \\
            --vocab_path tokenizer/ --max_seq_len 128 --num_training_steps 1000 --train_batch_size 32 \\
            --learning_rate 5e-4 --warmup 100 --dump_interval 200
        --rtd_lambda defaults to 10, the original code's default (its rtd.sh keeps it); the DeBERTaV3
        paper reports λ = 50 (ELECTRA's value).
        """)

    @OptionGroup var optimization: OptimizationOptions
    @Option(name: [.customLong("task"), .customLong("task_name")], help: "mlm or rtd.") var task: String
    @Option(name: .customLong("data_dir")) var dataDir: String
    @Option(name: .customLong("output_dir")) var outputDir: String
    @Option(name: .customLong("model_config")) var modelConfig: String
    @Option(name: [.customLong("vocab_path"), .customLong("bpe_vocab_file")], help: "Tokenizer folder or file.") var vocabPath: String
    @Option(name: .customLong("vocab_type"), help: "spm or gpt2.") var vocabType: String?
    @Option(name: .customLong("max_seq_len")) var maxSeqLen = 512
    @Option(name: .customLong("num_training_steps"), help: "Optimizer updates (default: one pass over train.txt).") var numTrainingSteps: Int?
    @Option(name: .customLong("num_train_epochs"), help: "Passes over train.txt when --num_training_steps is absent.") var numTrainEpochs = 1.0
    @Option(name: .customLong("train_batch_size")) var trainBatchSize = 32
    @Option(name: .customLong("eval_batch_size")) var evalBatchSize = 32
    @Option(name: .customLong("max_ngram"), help: "Whole-word n-gram masking span (mlm).") var maxNgram = 1
    @Option(name: [.customLong("dump_interval"), .customLong("dump")], help: "Checkpoint, evaluate and export every N steps.") var dumpInterval = 10_000
    @Option(name: .customLong("rtd_lambda"), help: "Weight of the RTD loss (default 10, the original code's; the paper uses 50).") var rtdLambda: Float = 10
    @Option(name: .customLong("decoupled_training"), help: "True: separate generator and discriminator steps.") var decoupledTraining = FlagValue(argument: "true")!
    @Option(name: .customLong("discriminator_learning_rate"), help: "Discriminator learning rate when > 0 (decoupled).") var discriminatorLearningRate = -1.0
    @Option(name: .customLong("init_generator"), help: "Generator weights to continue from (folder or file).") var initGenerator: String?
    @Option(name: .customLong("init_discriminator"), help: "Discriminator weights to continue from (folder or file).") var initDiscriminator: String?
    @Flag(name: .customLong("resume"), help: "Continue exactly from the latest checkpoint in --output_dir.") var resume = false
    @Option(name: .customLong("max_eval_examples"), help: "Evaluate on the first N lines of valid.txt only.") var maxEvalExamples: Int?

    func run() throws {
        do { try execute() } catch { throw fail(error) }
    }

    func execute() throws {
        if let reason = optimization.unsupportedSettings().first { throw CLIError(reason) }
        optimization.prepareRun()
        guard let kind = PretrainingTask(name: task) else { throw CLIError("unknown --task \(task) (mlm or rtd)") }
        var o = PretrainingOptions(task: kind, dataDirectory: URL(fileURLWithPath: dataDir), outputDirectory: URL(fileURLWithPath: outputDir),
                                   modelConfig: modelConfig, vocabPath: URL(fileURLWithPath: vocabPath))
        o.vocabType = vocabType
        o.maxSequenceLength = maxSeqLen
        o.numTrainingSteps = numTrainingSteps
        o.numTrainEpochs = numTrainEpochs
        o.trainBatchSize = trainBatchSize
        o.evalBatchSize = evalBatchSize
        o.maxNgram = maxNgram
        o.dumpInterval = max(1, dumpInterval)
        o.rtdLambda = rtdLambda
        o.decoupledTraining = decoupledTraining.value
        o.discriminatorLearningRate = discriminatorLearningRate
        o.initGenerator = initGenerator.map { URL(fileURLWithPath: $0) }
        o.initDiscriminator = initDiscriminator.map { URL(fileURLWithPath: $0) }
        o.resume = resume
        o.maxEvalExamples = maxEvalExamples
        if kind == .mlm && (initDiscriminator != nil) { throw CLIError("--init_discriminator applies to --task rtd only") }
        try optimization.apply(to: &o.training, defaultLearningRate: 1e-4)
        try PretrainingRun(o).run()
    }
}

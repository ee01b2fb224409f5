import DeBERTaFineTuning
import ArgumentParser
import Foundation
import Logging
import DeBERTaTensors
import DeBERTaTraining

/// A boolean option value written as the original app's argparse accepts it (`--fp16 True`).
struct FlagValue: ExpressibleByArgument {
    let value: Bool
    init?(argument: String) {
        switch argument.lowercased() {
        case "true", "1", "yes", "y": value = true
        case "false", "0", "no", "n": value = false
        default: return nil
        }
    }
}

/// `deberta train`: GLUE fine-tuning with the original app's flags.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune and evaluate on a GLUE task (the original DeBERTa app's flags).",
        discussion: """
        Example (a real microsoft/deberta-v3-base folder copied onto the machine):
          deberta train --task_name RTE --do_train --do_eval --do_predict --data_dir glue/RTE \\
            --pre_trained deberta-v3-base --output_dir out/rte --max_seq_len 320 \\
            --train_batch_size 32 --learning_rate 2e-5 --warmup 50 --num_train_epochs 6 --cls_drop_out 0.2
        Outputs in --output_dir: eval_results.jsonl, GLUE submission files (RTE.tsv, MNLI-m.tsv, …),
        checkpoints/ (for --resume) and model/ (a Hugging Face folder).
        """)

    @OptionGroup var optimization: OptimizationOptions
    @Option(name: .customLong("task_name"), help: "CoLA, SST-2, MRPC, STS-B, QQP, MNLI, QNLI, RTE, WNLI or AX.") var taskName: String
    @Flag(name: .customLong("do_train")) var doTrain = false
    @Flag(name: .customLong("do_eval")) var doEval = false
    @Flag(name: .customLong("do_predict")) var doPredict = false
    @Option(name: .customLong("data_dir"), help: "Folder with the task's TSV files.") var dataDir: String
    @Option(name: .customLong("output_dir")) var outputDir: String
    @Option(name: [.customLong("pre_trained"), .customLong("init_model")], help: "Model folder or checkpoint file.") var preTrained: String?
    @Option(name: .customLong("model_config"), help: "config.json, or v3-xsmall/v3-small/v3-base/v3-large/v1-base for random weights.") var modelConfig: String?
    @Option(name: [.customLong("vocab_path"), .customLong("bpe_vocab_file")], help: "Tokenizer folder or file.") var vocabPath: String?
    @Option(name: .customLong("vocab_type"), help: "spm or gpt2.") var vocabType: String?
    @Option(name: .customLong("max_seq_len")) var maxSeqLen = 128
    @Option(name: .customLong("train_batch_size")) var trainBatchSize = 32
    @Option(name: .customLong("eval_batch_size")) var evalBatchSize = 32
    @Option(name: .customLong("predict_batch_size")) var predictBatchSize = 32
    @Option(name: .customLong("num_train_epochs")) var numTrainEpochs = 3.0
    @Option(name: .customLong("cls_drop_out")) var clsDropOut: Float?
    @Option(name: [.customLong("dump_interval"), .customLong("dump")]) var dumpInterval = 1000
    @Flag(name: .customLong("resume"), help: "Continue from the latest checkpoint in --output_dir.") var resume = false
    @Option(name: .customLong("max_train_examples"), help: "Train on the first N examples only.") var maxTrainExamples: Int?
    @Option(name: .customLong("max_eval_examples"), help: "Evaluate on the first N examples only.") var maxEvalExamples: Int?

    func run() throws {
        do { try execute() } catch { throw fail(error) }
    }

    func execute() throws {
        optimization.prepareRun()
        var o = FineTuningOptions(taskName: taskName, dataDirectory: URL(fileURLWithPath: dataDir), outputDirectory: URL(fileURLWithPath: outputDir))
        o.doTrain = doTrain
        o.doEval = doEval
        o.doPredict = doPredict
        if !doTrain && !doEval && !doPredict { throw CLIError("nothing to do: give --do_train, --do_eval and/or --do_predict") }
        o.preTrained = try preTrained.map { try resolveModel($0) }
        o.modelConfig = modelConfig
        o.vocabPath = vocabPath.map { URL(fileURLWithPath: $0) }
        o.vocabType = vocabType
        o.maxSequenceLength = maxSeqLen
        o.trainBatchSize = trainBatchSize
        o.evalBatchSize = evalBatchSize
        o.predictBatchSize = predictBatchSize
        o.epochs = numTrainEpochs
        o.dumpInterval = max(1, dumpInterval)
        o.classifierDropout = clsDropOut
        o.resume = resume
        o.maxTrainExamples = maxTrainExamples
        o.maxEvalExamples = maxEvalExamples
        try optimization.apply(to: &o.training, defaultLearningRate: 2e-5)
        o.training.bf16MatrixProducts = optimization.fp16.value
        try GLUEFineTuning(o).run()
    }
}

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
///
/// Every flag of the original `DeBERTa/apps/run.py` parser — its own, its optimizer and trainer
/// groups and the GLUE tasks' argument group — is accepted with the original's meaning and default,
/// under its name or any unambiguous prefix of it, as argparse takes them (``expandingAbbreviations(_:)``);
/// the few settings this port cannot run are refused with a one-line reason
/// (``unsupportedSettings()``).
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune and evaluate on a GLUE task (the original DeBERTa app's flags).",
        discussion: """
        Example (a real microsoft/deberta-v3-base folder copied onto the machine):
          deberta train --task_name RTE --do_train --do_eval --do_predict --data_dir glue/RTE \\
            --pre_trained deberta-v3-base --output_dir out/rte --max_seq_len 320 \\
            --train_batch_size 32 --learning_rate 2e-5 --warmup 50 --num_train_epochs 6 --cls_drop_out 0.2
        The original's command lines (experiments/glue/*.sh) run unchanged, the program name aside. With --pre_trained or --init_model, --model_config is a small JSON file (the original's {"pooling": {"dropout": 0, "hidden_act": "gelu"}}) whose fields replace the checkpoint configuration's, the model's shape excepted. Option names may be shortened to any unambiguous prefix of the original's (--max_seq_len, --warmup, --dump).

        Refused, with the reason: distributed runs (--local_rank or --rank > 0, --world_size > 1), --task_dir (custom Python tasks), --vat_lambda > 0 (SiFT) and --export_onnx_model True.

        Outputs in --output_dir: eval_results.jsonl, GLUE submission files (RTE.tsv, MNLI-m.tsv, …),
        checkpoints/ (for --resume) and model/ (a Hugging Face folder).
        """)

    @OptionGroup var optimization: OptimizationOptions
    @Option(name: .customLong("task_name"), help: "CoLA, SST-2, MRPC, STS-B, QQP, MNLI, QNLI, RTE, WNLI, AX, NER (CoNLL-2003 files: train.txt, valid.txt, test.txt), SQuAD (train-v1.1.json, dev-v1.1.json) or SQuADv2 (train-v2.0.json, dev-v2.0.json).") var taskName: String
    @Flag(name: .customLong("do_train")) var doTrain = false
    @Flag(name: .customLong("do_eval")) var doEval = false
    @Flag(name: .customLong("do_predict")) var doPredict = false
    @Option(name: .customLong("data_dir"), help: "Folder with the task's TSV files.") var dataDir: String
    @Option(name: .customLong("output_dir")) var outputDir: String
    @Option(name: [.customLong("pre_trained"), .customLong("init_model")], help: "Model folder or checkpoint file.") var preTrained: String?
    @Option(name: .customLong("model_config"), help: "With pre-trained weights: a JSON file whose fields are merged into the checkpoint's configuration (the shape fields excepted), as the original does. Without: a config.json or v3-xsmall/v3-small/v3-base/v3-large/v1-base/v1-large for random weights.") var modelConfig: String?
    @Option(name: [.customLong("vocab_path"), .customLong("bpe_vocab_file")], help: "Tokenizer folder or file.") var vocabPath: String?
    @Option(name: .customLong("vocab_type"), help: "spm or gpt2 (default: from the file).") var vocabType: String?
    @Option(name: [.customLong("max_seq_len"), .customLong("max_seq_length")]) var maxSeqLen = 128
    @Option(name: .customLong("train_batch_size"), help: "Default 64, the original's.") var trainBatchSize = 64
    @Option(name: .customLong("eval_batch_size")) var evalBatchSize = 32
    @Option(name: .customLong("predict_batch_size")) var predictBatchSize = 32
    @Option(name: .customLong("num_train_epochs")) var numTrainEpochs = 3.0
    @Option(name: .customLong("cls_drop_out")) var clsDropOut: Float?
    @Option(name: [.customLong("dump_interval"), .customLong("dump")]) var dumpInterval = 1000
    @Option(name: .customLong("debug"), help: "Accepted: the original's GLUE tasks ignore it too (it reaches their dataset as an unused keyword).") var debug = FlagValue(argument: "false")!
    @Option(name: .customLong("task_dir"), help: "The original's folder of custom Python task modules: refused (the tasks are built in).") var taskDir: String?
    @Option(name: .customLong("task_example_arg"), help: "The original's example task argument, which no task reads; accepted and unused.") var taskExampleArg: String?
    @Option(name: .customLong("vat_lambda"), help: "Weight of SiFT's adversarial loss: 0 (the default) only; SiFT is not supported.") var vatLambda = 0.0
    @Option(name: .customLong("vat_learning_rate"), help: "SiFT's perturbation learning rate; read only when --vat_lambda > 0.") var vatLearningRate = 1e-4
    @Option(name: .customLong("vat_init_perturbation"), help: "SiFT's initial perturbation; read only when --vat_lambda > 0.") var vatInitPerturbation = 1e-2
    @Option(name: .customLong("vat_loss_fn"), help: "SiFT's loss (symmetric-kl, kl, mse); read only when --vat_lambda > 0.") var vatLossFn = "symmetric-kl"
    @Option(name: .customLong("export_onnx_model"), help: "False only: ONNX export is not supported.") var exportOnnxModel = FlagValue(argument: "false")!
    @Flag(name: .customLong("resume"), help: "Continue from the latest checkpoint in --output_dir.") var resume = false
    @Option(name: .customLong("max_train_examples"), help: "Train on the first N examples only.") var maxTrainExamples: Int?
    @Option(name: .customLong("max_eval_examples"), help: "Evaluate on the first N examples only.") var maxEvalExamples: Int?
    @Option(name: .customLong("doc_stride"), help: "SQuAD: tokens shared by consecutive context windows.") var docStride = 128
    @Option(name: .customLong("max_query_length"), help: "SQuAD: question tokens kept.") var maxQueryLength = 64
    @Option(name: .customLong("n_best_size"), help: "SQuAD: start and end candidates per window.") var nBestSize = 20
    @Option(name: .customLong("max_answer_length"), help: "SQuAD: longest answer, in tokens.") var maxAnswerLength = 30
    @Option(name: .customLong("null_score_diff_threshold"), help: "SQuADv2: predict no answer when the null score exceeds the best span's by more.") var nullScoreDiffThreshold: Float = 0

    /// Every option of the original `apps/run.py` parser: its own, the optimizer group
    /// (`optims/args.py`), the trainer group (`training/args.py`) and the GLUE tasks' group
    /// (`Task.add_arguments`: `--task_example_arg`). ``expandingAbbreviations(_:)`` completes prefixes of these.
    static let originalOptions = [
        "task_dir", "task_name", "data_dir", "output_dir", "max_seq_length", "do_train", "do_eval", "do_predict",
        "eval_batch_size", "predict_batch_size", "init_model", "model_config", "cls_drop_out", "tag", "debug",
        "pre_trained", "vocab_type", "vocab_path", "vat_lambda", "vat_learning_rate", "vat_init_perturbation",
        "vat_loss_fn", "export_onnx_model",
        "fp16", "loss_scale", "scale_steps", "lookahead_k", "lookahead_alpha", "with_radam", "opt_type",
        "warmup_proportion", "lr_schedule_ends", "lr_schedule", "max_grad_norm", "learning_rate", "epsilon",
        "adam_beta1", "adam_beta2", "weight_decay",
        "accumulative_update", "dump_interval", "local_rank", "workers", "num_train_epochs", "seed",
        "train_batch_size", "world_size", "rank", "master_ip", "master_port",
        "task_example_arg", "help",
    ]

    /// This port's names that the original lacks (aliases and its own options).
    static let ownOptions = ["max_seq_len", "warmup", "dump", "bpe_vocab_file", "resume", "max_train_examples",
                             "max_eval_examples", "optimizer", "threads", "doc_stride", "max_query_length",
                             "n_best_size", "max_answer_length", "null_score_diff_threshold"]

    /// `arguments` with every `--prefix` (or `--prefix=value`) that is not an option name itself but
    /// starts exactly one of the original's option names replaced by that name, as argparse
    /// (`allow_abbrev`) reads the original's command lines; a prefix of several is an error naming them.
    static func expandingAbbreviations(_ arguments: [String]) throws -> [String] {
        let known = Set(originalOptions + ownOptions)
        return try arguments.map { argument in
            guard argument.hasPrefix("--"), argument.count > 2 else { return argument }
            let body = argument.dropFirst(2)
            let name = String(body.prefix { $0 != "=" }), rest = body.dropFirst(name.count)
            if known.contains(name) { return argument }
            let matches = originalOptions.filter { $0.hasPrefix(name) }
            if matches.count > 1 {
                throw CLIError("ambiguous option: --\(name) could match \(matches.map { "--" + $0 }.joined(separator: ", "))")
            }
            return matches.first.map { "--" + $0 + rest } ?? argument
        }
    }

    /// The settings this port refuses, each with its one-line reason (empty when it can run them).
    func unsupportedSettings() -> [String] {
        var reasons = optimization.unsupportedSettings()
        if let taskDir { reasons.append("--task_dir \(taskDir): custom tasks are Python modules of the original app; this port's tasks are built in") }
        if vatLambda > 0 { reasons.append("--vat_lambda \(vatLambda): SiFT adversarial training is not supported (use --vat_lambda 0)") }
        if exportOnnxModel.value { reasons.append("--export_onnx_model True: ONNX export is not supported") }
        return reasons
    }

    func run() throws {
        do { try execute() } catch { throw fail(error) }
    }

    func execute() throws {
        if let reason = unsupportedSettings().first { throw CLIError(reason) }
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
        o.tag = optimization.tag
        o.resume = resume
        o.maxTrainExamples = maxTrainExamples
        o.maxEvalExamples = maxEvalExamples
        o.docStride = docStride
        o.maxQueryLength = maxQueryLength
        o.nBestSize = nBestSize
        o.maxAnswerLength = maxAnswerLength
        o.nullScoreDiffThreshold = nullScoreDiffThreshold
        try optimization.apply(to: &o.training, defaultLearningRate: 5e-5)
        o.training.bf16MatrixProducts = optimization.fp16.value
        try FineTuningTasks.run(o)
    }
}

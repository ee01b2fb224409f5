import DeBERTaTestSupport
import Foundation
import XCTest
@testable import DeBERTaCLI
@testable import DeBERTaModeling
import DeBERTaTraining

/// The original app's command lines, unchanged: every `experiments/glue/*.sh` recipe of
/// microsoft/DeBERTa (`Tests/References/original`, SOURCES.md there) parses with `deberta train`'s
/// parser, every option of the original's `apps/run.py` parser is accepted with its meaning (or
/// refused with its reason), and the recipes' `--model_config config.json` merges into a fixture
/// checkpoint's configuration in a real run.
final class OriginalRecipeTests: XCTestCase {
    struct Recipe: Decodable {
        let script: String
        let model: String
        let arguments: [String]
    }

    /// `deberta train`'s parsing of `arguments` (without the leading `train`), abbreviations included.
    func parse(_ arguments: [String]) throws -> TrainCommand {
        try TrainCommand.parse(try TrainCommand.expandingAbbreviations(arguments))
    }

    /// The value after `flag` in `arguments`, the last one when repeated (as argparse keeps it).
    func value(_ flag: String, in arguments: [String]) -> String? {
        arguments.indices.last { arguments[$0] == flag }.map { arguments[$0 + 1] }
    }

    func testEveryOriginalGLUERecipeParses() throws {
        let text = try String(contentsOf: try References.url("original/glue_recipes.jsonl"), encoding: .utf8)
        let recipes = try text.split(separator: "\n").map { try JSONDecoder().decode(Recipe.self, from: Data($0.utf8)) }
        XCTAssertEqual(recipes.count, 57, "every model of the 8 scripts")
        XCTAssertEqual(Set(recipes.map(\.script)), ["cola.sh", "mnli.sh", "mrpc.sh", "qnli.sh", "qqp.sh", "rte.sh", "sst2.sh", "stsb.sh"])
        var refused: [String] = []
        for recipe in recipes {
            let what = "\(recipe.script) \(recipe.model)"
            XCTAssertEqual(recipe.arguments.first, "train")
            let args = Array(recipe.arguments.dropFirst())
            let command: TrainCommand
            do { command = try parse(args) } catch {
                XCTFail("\(what): \(TrainCommand.message(for: error))")
                continue
            }
            // The flags mean what they meant to the original.
            XCTAssertEqual(command.taskName, value("--task_name", in: args), what)
            XCTAssertEqual(command.preTrained, value("--init_model", in: args), what)
            XCTAssertEqual(command.modelConfig, "config.json", what)
            XCTAssertEqual(command.optimization.tag, recipe.model, what)
            XCTAssertTrue(command.doTrain, what)
            XCTAssertEqual(command.maxSeqLen, Int(value("--max_seq_len", in: args) ?? "128"), what)
            XCTAssertEqual(command.trainBatchSize, Int(value("--train_batch_size", in: args)!), what)
            XCTAssertEqual(command.numTrainEpochs, Double(value("--num_train_epochs", in: args)!), what)
            XCTAssertEqual(command.clsDropOut, Float(value("--cls_drop_out", in: args)!), what)
            XCTAssertEqual(command.optimization.fp16.value, value("--fp16", in: args) == "True", what)
            var options = TrainingOptions()
            try command.optimization.apply(to: &options, defaultLearningRate: 5e-5)
            XCTAssertEqual(options.learningRate, Double(value("--learning_rate", in: args)!), what)
            XCTAssertEqual(options.warmup, Double(value("--warmup", in: args)!), what)
            XCTAssertEqual(options.adam.variant, .xadam, what)
            if let eval = value("--eval_batch_size", in: args) { XCTAssertEqual(command.evalBatchSize, Int(eval), what) }
            if let reason = command.unsupportedSettings().first {
                XCTAssertTrue(reason.contains("SiFT"), "\(what): \(reason)")
                refused.append(recipe.model)
            }
        }
        // Only the SiFT recipes (adversarial training, --vat_lambda > 0) are refused, with that reason.
        XCTAssertEqual(refused.sorted(), ["base-sift", "deberta-v3-base-sift", "deberta-v3-small-sift", "deberta-v3-xsmall-sift", "xxlarge-v2-sift"])
    }

    /// A value for every option of the original parser, and what it must set here.
    func testEveryOriginalOptionIsAcceptedWithItsMeaning() throws {
        let required = ["--task_name", "RTE", "--data_dir", "d", "--output_dir", "o"]
        let samples: [String: String?] = [
            "task_dir": "tasks", "task_name": "MNLI", "data_dir": "d2", "output_dir": "o2", "max_seq_length": "77",
            "do_train": nil, "do_eval": nil, "do_predict": nil, "eval_batch_size": "7", "predict_batch_size": "9",
            "init_model": "m", "model_config": "c.json", "cls_drop_out": "0.3", "tag": "t", "debug": "True",
            "pre_trained": "p", "vocab_type": "spm", "vocab_path": "v", "vat_lambda": "2", "vat_learning_rate": "0.001",
            "vat_init_perturbation": "0.02", "vat_loss_fn": "mse", "export_onnx_model": "True",
            "fp16": "True", "loss_scale": "256", "scale_steps": "100", "lookahead_k": "5", "lookahead_alpha": "0.3",
            "with_radam": "True", "opt_type": "ADMAX", "warmup_proportion": "0.2", "lr_schedule_ends": "0.1",
            "lr_schedule": "warmup_cyclic_linear_cosine", "max_grad_norm": "2", "learning_rate": "3e-5", "epsilon": "1e-8",
            "adam_beta1": "0.8", "adam_beta2": "0.98", "weight_decay": "0.02",
            "accumulative_update": "2", "dump_interval": "50", "local_rank": "1", "workers": "4", "num_train_epochs": "2.5",
            "seed": "7", "train_batch_size": "16", "world_size": "2", "rank": "1", "master_ip": "10.0.0.1",
            "master_port": "12456", "task_example_arg": "x",
        ]
        XCTAssertEqual(Set(samples.keys), Set(TrainCommand.originalOptions).subtracting(["help"]))
        for (name, sample) in samples.sorted(by: { $0.key < $1.key }) {
            let command = try parse(required + ["--" + name] + (sample.map { [$0] } ?? []))
            var t = TrainingOptions()
            try command.optimization.apply(to: &t, defaultLearningRate: 5e-5)
            let refusal = command.unsupportedSettings().first
            switch name {
            case "task_dir": XCTAssertTrue(refusal?.contains("custom tasks are Python modules") == true, name)
            case "vat_lambda": XCTAssertTrue(refusal?.contains("SiFT") == true, name)
            case "export_onnx_model": XCTAssertTrue(refusal?.contains("ONNX") == true, name)
            case "local_rank", "world_size", "rank": XCTAssertTrue(refusal?.contains("distributed training") == true, name)
            default: XCTAssertNil(refusal, name)
            }
            switch name {
            case "task_name": XCTAssertEqual(command.taskName, "MNLI")
            case "data_dir": XCTAssertEqual(command.dataDir, "d2")
            case "output_dir": XCTAssertEqual(command.outputDir, "o2")
            case "max_seq_length": XCTAssertEqual(command.maxSeqLen, 77)
            case "do_train": XCTAssertTrue(command.doTrain)
            case "do_eval": XCTAssertTrue(command.doEval)
            case "do_predict": XCTAssertTrue(command.doPredict)
            case "eval_batch_size": XCTAssertEqual(command.evalBatchSize, 7)
            case "predict_batch_size": XCTAssertEqual(command.predictBatchSize, 9)
            case "init_model": XCTAssertEqual(command.preTrained, "m")
            case "pre_trained": XCTAssertEqual(command.preTrained, "p")
            case "model_config": XCTAssertEqual(command.modelConfig, "c.json")
            case "cls_drop_out": XCTAssertEqual(command.clsDropOut, 0.3)
            case "tag": XCTAssertEqual(command.optimization.tag, "t")
            case "debug": XCTAssertTrue(command.debug.value)
            case "vocab_type": XCTAssertEqual(command.vocabType, "spm")
            case "vocab_path": XCTAssertEqual(command.vocabPath, "v")
            case "vat_learning_rate": XCTAssertEqual(command.vatLearningRate, 0.001)
            case "vat_init_perturbation": XCTAssertEqual(command.vatInitPerturbation, 0.02)
            case "vat_loss_fn": XCTAssertEqual(command.vatLossFn, "mse")
            case "fp16": XCTAssertTrue(t.dynamicLossScaling)
            case "loss_scale": XCTAssertEqual(t.lossScale, 256)
            case "scale_steps": XCTAssertEqual(t.scaleSteps, 100)
            case "lookahead_k": XCTAssertEqual(t.adam.lookaheadSteps, 5)
            case "lookahead_alpha": XCTAssertEqual(t.adam.lookaheadAlpha, 0.3)
            case "with_radam": XCTAssertTrue(t.adam.rectified)
            case "opt_type": XCTAssertTrue(t.adam.maxNorm, "argparse lower-cases --opt_type")
            case "warmup_proportion": XCTAssertEqual(t.warmup, 0.2)
            case "lr_schedule_ends": XCTAssertEqual(t.scheduleEnds, 0.1)
            case "lr_schedule": XCTAssertEqual(t.schedule, .warmupCyclicLinearCosine)
            case "max_grad_norm": XCTAssertEqual(t.maxGradNorm, 2)
            case "learning_rate": XCTAssertEqual(t.learningRate, 3e-5)
            case "epsilon": XCTAssertEqual(t.adam.epsilon, 1e-8)
            case "adam_beta1": XCTAssertEqual(t.adam.beta1, 0.8)
            case "adam_beta2": XCTAssertEqual(t.adam.beta2, 0.98)
            case "weight_decay": XCTAssertEqual(t.adam.weightDecay, 0.02)
            case "accumulative_update": XCTAssertEqual(t.accumulativeUpdate, 2)
            case "dump_interval": XCTAssertEqual(command.dumpInterval, 50)
            case "workers": XCTAssertEqual(command.optimization.workers, 4)
            case "num_train_epochs": XCTAssertEqual(command.numTrainEpochs, 2.5)
            case "seed": XCTAssertEqual(t.seed, 7)
            case "train_batch_size": XCTAssertEqual(command.trainBatchSize, 16)
            case "master_ip": XCTAssertEqual(command.optimization.masterIP, "10.0.0.1")
            case "master_port": XCTAssertEqual(command.optimization.masterPort, "12456")
            case "task_example_arg": XCTAssertEqual(command.taskExampleArg, "x")
            case "task_dir", "vat_lambda", "export_onnx_model", "local_rank", "world_size", "rank": break
            default: XCTFail("no check for --\(name)")
            }
        }
        // The original's defaults (run.py, optims/args.py, training/args.py).
        let plain = try parse(required)
        var t = TrainingOptions()
        try plain.optimization.apply(to: &t, defaultLearningRate: 5e-5)
        XCTAssertEqual(t.learningRate, 5e-5)
        XCTAssertEqual(plain.trainBatchSize, 64)
        XCTAssertEqual(plain.evalBatchSize, 32)
        XCTAssertEqual(plain.maxSeqLen, 128)
        XCTAssertEqual(plain.numTrainEpochs, 3)
        XCTAssertEqual(plain.dumpInterval, 1000)
        XCTAssertEqual(t.warmup, 0.1)
        XCTAssertEqual(t.seed, 1234)
        XCTAssertEqual(t.adam, AdamConfiguration(variant: .xadam, beta1: 0.9, beta2: 0.999, epsilon: 1e-6, weightDecay: 0.01))
        XCTAssertEqual(t.lossScale, 16384)
        XCTAssertEqual(t.scaleSteps, 250)
        XCTAssertEqual(t.scheduleEnds, 0)
        XCTAssertEqual(t.maxGradNorm, 1)
        XCTAssertEqual(plain.unsupportedSettings(), [])
        // Values the original refuses are refused here too.
        XCTAssertThrowsError(try { var o = TrainingOptions(); try self.parse(required + ["--opt_type", "sgd"]).optimization.apply(to: &o, defaultLearningRate: 1) }())
        XCTAssertThrowsError(try parse(required + ["--debug", "maybe"]))
    }

    func testAbbreviationsAsArgparseReadsThem() throws {
        XCTAssertEqual(try TrainCommand.expandingAbbreviations(["--max_seq", "64", "--learn=3e-5", "--max_seq_len", "9", "--warmup", "5", "--dump", "2"]),
                       ["--max_seq_length", "64", "--learning_rate=3e-5", "--max_seq_len", "9", "--warmup", "5", "--dump", "2"])
    }

    func testAmbiguousAbbreviationsAreErrors() {
        for (prefix, expected) in [("--lr", "--lr_schedule_ends, --lr_schedule"), ("--do", "--do_train, --do_eval, --do_predict"),
                                   ("--vat_l", "--vat_lambda, --vat_learning_rate, --vat_loss_fn")] {
            XCTAssertThrowsError(try TrainCommand.expandingAbbreviations([prefix, "1"])) { error in
                XCTAssertEqual("\(error)", "ambiguous option: \(prefix) could match \(expected)")
            }
        }
    }
}

/// The recipes' `--model_config config.json` (the original's GLUE file) and a file that changes
/// more, merged into a tiny fixture checkpoint (`fixtures/deberta-v3-tiny`) in real `deberta train`
/// runs with the recipes' flags.
final class ModelConfigMergeTests: XCTestCase {
    /// The v3-style tokenizer cut to the fixture's 128 ids: the four specials, the single-character
    /// pieces, then the most probable others, and `[MASK]` as id 127 (a stand-in: the fixture was
    /// trained on nothing, so any ids below 128 do).
    func tinyTokenizer(at url: URL) throws -> URL {
        let source = try References.url("tokenizers/v3-style.tokenizer.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: source)) as! [String: Any]
        var model = json["model"] as! [String: Any]
        let vocab = model["vocab"] as! [[Any]]
        let specials = Array(vocab.prefix(4))
        let pieces = vocab.dropFirst(4)
        let singles = pieces.filter { ($0[0] as! String).replacingOccurrences(of: "\u{2581}", with: "").count <= 1 }
        let others = pieces.filter { ($0[0] as! String).replacingOccurrences(of: "\u{2581}", with: "").count > 1 }
        let kept = specials + Array((singles + others).prefix(123)) + [["[MASK]", 0.0]]
        XCTAssertEqual(kept.count, 128)
        model["vocab"] = kept
        json["model"] = model
        json["added_tokens"] = (json["added_tokens"] as! [[String: Any]]).map { token -> [String: Any] in
            var t = token
            if t["content"] as? String == "[MASK]" { t["id"] = 127 }
            return t
        }
        let file = url.appendingPathComponent("tokenizer.json")
        try JSONSerialization.data(withJSONObject: json).write(to: file)
        return file
    }

    func runTrain(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = try Executable.binary()
        p.arguments = arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testRecipeModelConfigMergesIntoAFixtureCheckpoint() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("deberta-merge-\(getpid())")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let tokenizer = try tinyTokenizer(at: tmp)
        let fixture = try References.fixture("deberta-v3-tiny")
        let recipeConfig = try References.url("original/experiments/glue/config.json")
        let rte = try References.url("data/glue/RTE")
        // More than the recipe's file changes: the pooler, a dropout, and a shape field, which must
        // keep the checkpoint's value (the weights are 32 wide).
        let bigger = tmp.appendingPathComponent("config.json")
        try Data(#"{"pooling": {"dropout": 0.05, "hidden_act": "tanh"}, "hidden_dropout_prob": 0.05, "hidden_size": 768}"#.utf8).write(to: bigger)
        for (name, config) in [("recipe", recipeConfig), ("bigger", bigger)] {
            let out = tmp.appendingPathComponent(name)
            // rte.sh's command line for deberta-v3-large, on the fixture and cut to a few examples.
            let (status, stderr) = try runTrain([
                "train", "--model_config", config.path, "--tag", "deberta-v3-large", "--do_train", "--task_name", "RTE",
                "--data_dir", rte.path, "--init_model", fixture.path, "--output_dir", out.path,
                "--num_train_epochs", "1", "--fp16", "False", "--warmup", "50", "--learning_rate", "1e-5",
                "--train_batch_size", "8", "--max_seq_len", "32", "--cls_drop_out", "0.3",
                "--vocab_path", tokenizer.path, "--max_train_examples", "16", "--max_eval_examples", "8", "--threads", "1"])
            XCTAssertEqual(status, 0, stderr)
            XCTAssertTrue(stderr.contains("--model_config \(config.path) merged into config.json"), stderr)
            let saved = try DeBERTaConfiguration.load(from: out.appendingPathComponent("model/config.json"))
            XCTAssertEqual(saved.hiddenSize, 32, name)
            XCTAssertEqual(saved.numHiddenLayers, 2, name)
            XCTAssertEqual(saved.clsDropout, 0.3, name)
            let records = try String(contentsOf: out.appendingPathComponent("eval_results.jsonl"), encoding: .utf8).split(separator: "\n")
            XCTAssertFalse(records.isEmpty, name)
            for line in records {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                XCTAssertEqual(object["tag"] as? String, "deberta-v3-large")
            }
            if name == "recipe" {
                XCTAssertEqual(saved.poolerDropout, 0)
                XCTAssertEqual(saved.poolerHiddenAct, "gelu")
                XCTAssertEqual(saved.hiddenDropoutProb, 0.1)
            } else {
                XCTAssertEqual(saved.poolerDropout, 0.05)
                XCTAssertEqual(saved.poolerHiddenAct, "tanh")
                XCTAssertEqual(saved.hiddenDropoutProb, 0.05)
                XCTAssertTrue(stderr.contains("--model_config gives other hidden_size than the checkpoint"), stderr)
            }
        }
    }

    /// The merge rule itself: given fields replace the checkpoint's, shape fields stay, the rest is untouched.
    func testMergeRule() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("deberta-merge-rule-\(getpid())")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let checkpoint = try References.url("fixtures/deberta-v1-absolute/config.json")
        let overrides = tmp.appendingPathComponent("overrides.json")
        try Data(#"{"pooling": {"hidden_act": "tanh"}, "padding_idx": 1, "num_hidden_layers": 12, "vocab_size": 50265, "layer_norm_eps": 1e-5}"#.utf8).write(to: overrides)
        let merge = try DeBERTaConfiguration.merged(checkpoint: checkpoint, overrides: overrides)
        let before = try DeBERTaConfiguration.load(from: checkpoint)
        var expected = before
        expected.poolerHiddenAct = "tanh"
        expected.padTokenId = 1
        expected.layerNormEps = 1e-5
        XCTAssertEqual(merge.configuration, expected)
        XCTAssertEqual(merge.configuration.typeVocabSize, 2, "fields the file does not give stay (the original would reset this one to 0)")
        XCTAssertEqual(merge.keptFromCheckpoint, ["num_hidden_layers", "vocab_size"])
        XCTAssertEqual(merge.changed, ["layer_norm_eps", "pad_token_id", "padding_idx", "pooler_hidden_act", "pooling"])
        // A shape field the checkpoint lacks (or has negative) comes from the file, as in the original.
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: checkpoint)) as! [String: Any]
        json["max_position_embeddings"] = -1
        let negative = tmp.appendingPathComponent("negative.json")
        try JSONSerialization.data(withJSONObject: json).write(to: negative)
        try Data(#"{"max_position_embeddings": 128}"#.utf8).write(to: overrides)
        XCTAssertEqual(try DeBERTaConfiguration.merged(checkpoint: negative, overrides: overrides).configuration.maxPositionEmbeddings, 128)
        try Data("[1, 2]".utf8).write(to: overrides)
        XCTAssertThrowsError(try DeBERTaConfiguration.merged(checkpoint: checkpoint, overrides: overrides)) { error in
            XCTAssertTrue("\(error)".contains("a configuration must be a JSON object"), "\(error)")
        }
    }
}

extension TrainCommand {
    /// The message `deberta train` prints for a parse error.
    static func message(for error: Error) -> String { fullMessage(for: error) }
}

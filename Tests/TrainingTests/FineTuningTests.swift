@testable import DeBERTaFineTuning
import Foundation
import DeBERTaGLUE
import DeBERTaTensors
import DeBERTaTestSupport
import DeBERTaTokenizers
import XCTest
@testable import DeBERTaModeling
@testable import DeBERTaTraining

final class FineTuningTests: XCTestCase {
    /// A small RTE-format task (rows of the real RTE dev file) end to end: training with checkpoints,
    /// evaluations in eval_results.jsonl, GLUE submission file, and a model folder that loads back
    /// with the same predictions.
    func testRunWritesResultsPredictionsAndAReloadableModel() throws {
        let rte = try References.url("data/glue/RTE/dev.tsv")
        let tokenizerFolder = try References.url("data/tokenizers/deberta-v3-style")
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("deberta-ft-\(getpid())")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let data = tmp.appendingPathComponent("data"), out = tmp.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let lines = try String(contentsOf: rte, encoding: .utf8).split(separator: "\n").map(String.init)
        try (lines[0...40].joined(separator: "\n") + "\n").write(to: data.appendingPathComponent("train.tsv"), atomically: true, encoding: .utf8)
        try ([lines[0]] + lines[41...60]).joined(separator: "\n").write(to: data.appendingPathComponent("dev.tsv"), atomically: true, encoding: .utf8)
        let test = ["index\tsentence1\tsentence2"] + lines[61...72].map { $0.split(separator: "\t").prefix(3).joined(separator: "\t") }
        try test.joined(separator: "\n").write(to: data.appendingPathComponent("test.tsv"), atomically: true, encoding: .utf8)

        var config = DeBERTaConfiguration(modelType: "deberta-v2")
        config.vocabSize = 8064; config.hiddenSize = 16; config.numHiddenLayers = 1; config.numAttentionHeads = 2
        config.intermediateSize = 32; config.relativeAttention = true; config.positionBuckets = 16
        config.maxRelativePositions = 64; config.posAttType = ["p2c", "c2p"]; config.positionBiasedInput = false
        config.shareAttKey = true; config.normRelEbd = "layer_norm"
        let configURL = tmp.appendingPathComponent("config.json")
        try JSONEncoder().encode(config).write(to: configURL)

        var o = FineTuningOptions(taskName: "rte", dataDirectory: data, outputDirectory: out)
        o.doTrain = true; o.doEval = true; o.doPredict = true
        o.modelConfig = configURL.path
        o.vocabPath = tokenizerFolder
        o.maxSequenceLength = 32
        o.trainBatchSize = 8
        o.epochs = 2
        o.dumpInterval = 3
        o.training.learningRate = 1e-3
        let run = try GLUEFineTuning(o)
        let records = try run.run()

        // 40 examples, batch 8 → 5 steps per epoch, 10 steps: evaluations at 3, 5, 6, 9, 10.
        XCTAssertEqual(records.map(\.step), [3, 5, 6, 9, 10])
        let jsonl = try String(contentsOf: out.appendingPathComponent("eval_results.jsonl"), encoding: .utf8)
        let objects = try jsonl.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(objects.count, 5)
        XCTAssertEqual(objects.last?["split"] as? String, "dev")
        XCTAssertEqual(objects.last?["step"] as? Int, 10)
        XCTAssertNotNil(objects.last?["accuracy"] as? Double)

        let submission = try String(contentsOf: out.appendingPathComponent("RTE.tsv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(submission.first, "index\tprediction")
        XCTAssertEqual(submission.count, 13)
        XCTAssertTrue(submission.dropFirst().allSatisfy { $0.hasSuffix("\tentailment") || $0.hasSuffix("\tnot_entailment") })
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("checkpoints").path).sorted()
        XCTAssertEqual(checkpoints, ["checkpoint-000009", "checkpoint-000010"])

        // The saved folder: a Hugging Face config with the task's labels, and the same predictions.
        let folder = out.appendingPathComponent("model")
        let saved = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
        XCTAssertEqual(saved.architectures, ["DebertaV2ForSequenceClassification"])
        XCTAssertEqual(saved.id2label, ["0": "not_entailment", "1": "entailment"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("spm.model").path))
        let (reloaded, report) = try DeBERTaModel.load(from: folder)
        XCTAssertTrue(report.unexpected.isEmpty)
        let examples = try run.task.examples(split: .test, dataDirectory: data)
        let tokenizer = try Tokenizer.load(directory: folder)
        let features = try GLUEFeatures.make(examples, tokenizer: tokenizer, maxSequenceLength: 32)
        let predicted = try run.predict(reloaded, features, padId: Int32(tokenizer.specialTokenIds.pad), batchSize: 5)
        let written = submission.dropFirst().map { $0.hasSuffix("\tentailment") ? 1 : 0 }
        XCTAssertEqual(predicted.map { $0.classIndex! }, written)
    }

    /// The original's feature layout: `[CLS] A [SEP] B [SEP]` with types 0…0 1…1, and over-long pairs
    /// cut to the limit.
    func testFeaturesFollowTheOriginalLayout() throws {
        let folder = try References.url("data/tokenizers/deberta-v3-style")
        let tokenizer = try Tokenizer.load(directory: folder)
        let example = GLUEExample(guid: "dev-0", index: 0, line: 2, textA: "this is the first sentence", textB: "Hello world!", label: .classIndex(1), genre: nil)
        let f = try GLUEFeatures.make([example], tokenizer: tokenizer, maxSequenceLength: 64)[0]
        XCTAssertEqual(f.inputIds, [1, 56, 22, 5, 104, 3790, 2, 103, 165, 71, 287, 3, 2])
        XCTAssertEqual(f.tokenTypeIds, [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        let short = try GLUEFeatures.make([example], tokenizer: tokenizer, maxSequenceLength: 8)[0]
        XCTAssertEqual(short.inputIds.count, 8)
        XCTAssertEqual(short.inputIds.filter { $0 == 2 }.count, 2)
    }
}

@testable import DeBERTaFineTuning
import DeBERTaModeling
import DeBERTaTraining
import DeBERTaTestSupport
import Foundation
import XCTest

/// `--task_name SQuAD` / `SQuADv2` end to end on the small official-layout files of
/// Tests/References/qa: eval_results.jsonl with `exact_match` and `f1`, predictions (and null
/// odds) in the official scripts' input format, a question-answering model folder.
final class SQuADRunTests: XCTestCase {
    func tinyConfiguration(in folder: URL) throws -> URL {
        var config = DeBERTaConfiguration(modelType: "deberta-v2")
        config.vocabSize = 8064; config.hiddenSize = 16; config.numHiddenLayers = 1; config.numAttentionHeads = 2
        config.intermediateSize = 32; config.relativeAttention = true; config.positionBuckets = 16
        config.maxRelativePositions = 64; config.posAttType = ["p2c", "c2p"]; config.positionBiasedInput = false
        config.shareAttKey = true; config.normRelEbd = "layer_norm"; config.typeVocabSize = 0
        let url = folder.appendingPathComponent("config.json")
        try JSONEncoder().encode(config).write(to: url)
        return url
    }

    func run(versionTwo: Bool) throws -> (records: [EvaluationRecord], out: URL) {
        let tmp = try makeTemporaryDirectory(prefix: "deberta-squad")
        let data = tmp.appendingPathComponent("data"), out = tmp.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let source = try References.url(versionTwo ? "qa/examples-v2.json" : "qa/examples-v1.json")
        let suffix = versionTwo ? "v2.0" : "v1.1"
        for split in ["train", "dev"] {
            try FileManager.default.copyItem(at: source, to: data.appendingPathComponent("\(split)-\(suffix).json"))
        }
        var o = FineTuningOptions(taskName: versionTwo ? "SQuADv2" : "SQuAD", dataDirectory: data, outputDirectory: out)
        o.doTrain = true; o.doEval = true
        o.modelConfig = try tinyConfiguration(in: tmp).path
        o.vocabPath = try References.packageFile("Examples/deberta-v3-h256-rtd")
        o.maxSequenceLength = 48
        o.docStride = 16
        o.trainBatchSize = 4
        o.epochs = 1
        o.training.learningRate = 1e-3
        return (try FineTuningTasks.run(o), out)
    }

    func testSQuADRun() throws {
        let (records, out) = try run(versionTwo: false)
        let last = try XCTUnwrap(records.last)
        XCTAssertEqual(last.split, "dev")
        let em = try XCTUnwrap(last.metrics["exact_match"]), f1 = try XCTUnwrap(last.metrics["f1"])
        XCTAssertTrue((0...100).contains(em) && (0...100).contains(f1) && f1 >= em)
        XCTAssertEqual(last.metrics["eval_metric"], f1)
        let lines = try String(contentsOf: out.appendingPathComponent("eval_results.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines.last!.contains("\"exact_match\""))
        let predictions = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: out.appendingPathComponent("predictions_dev.json")))
        XCTAssertEqual(Set(predictions.keys), ["a1", "a2", "z1", "z2", "z3"])
        let config = try String(contentsOf: out.appendingPathComponent("model/config.json"), encoding: .utf8)
        XCTAssertTrue(config.contains("DebertaV2ForQuestionAnswering"), config)
    }

    func testSQuADv2RunWritesNullOdds() throws {
        let (records, out) = try run(versionTwo: true)
        let last = try XCTUnwrap(records.last)
        for key in ["exact_match", "f1", "HasAns_exact", "HasAns_f1", "NoAns_exact", "NoAns_f1", "best_f1", "best_f1_thresh"] {
            XCTAssertNotNil(last.metrics[key], key)
        }
        let odds = try JSONDecoder().decode([String: Double].self, from: Data(contentsOf: out.appendingPathComponent("null_odds_dev.json")))
        XCTAssertEqual(odds.count, 7)
    }

    func testBadFilesStopTheRun() throws {
        let tmp = try makeTemporaryDirectory(prefix: "deberta-squad-bad")
        try Data("{\"data\": [".utf8).write(to: tmp.appendingPathComponent("dev-v1.1.json"))
        XCTAssertThrowsError(try SQuADTask().examples(split: .dev, dataDirectory: tmp)) { error in
            XCTAssertTrue("\(error)".hasPrefix(tmp.appendingPathComponent("dev-v1.1.json").path + ":1:11: invalid JSON"), "\(error)")
        }
        // A SQuAD 2.0 file read as SQuAD 1.1.
        try FileManager.default.copyItem(at: References.url("qa/examples-v2.json"), to: tmp.appendingPathComponent("train-v1.1.json"))
        XCTAssertThrowsError(try SQuADTask().examples(split: .train, dataDirectory: tmp)) { error in
            XCTAssertTrue("\(error)".contains("question a3 has no answer"), "\(error)")
        }
    }
}

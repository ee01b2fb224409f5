import DeBERTa
import DeBERTaCheckpoint
import DeBERTaModeling
import Foundation
import DeBERTaTensors
import DeBERTaTestSupport
import DeBERTaTraining
import XCTest
@testable import DeBERTaPretraining

/// End-to-end runs of `deberta pretrain` on tiny models: outputs, exports, `--resume`.
final class PretrainingRunTests: XCTestCase {
    /// A data folder with train.txt / valid.txt prepared from the committed raw text, and a config.
    func setUpRun(_ task: PretrainingTask, dir: URL, steps: Int = 4, dump: Int = 2) throws -> PretrainingOptions {
        let tokenizerFolder = try References.url("data/tokenizers/deberta-v3-style")
        let data = dir.appendingPathComponent("data")
        let preparation = try CorpusPreparation(tokenizer: try v3Tokenizer(), maxSequenceLength: 24)
        try preparation.prepare(inputs: [resources.appendingPathComponent("prepare_input.txt")], output: data.appendingPathComponent("train.txt"))
        try preparation.prepare(inputs: [resources.appendingPathComponent("prepare_input.txt")], output: data.appendingPathComponent("valid.txt"))
        let config = dir.appendingPathComponent("config.json")
        let encoder = JSONEncoder()
        if task == .rtd {
            let d = try JSONSerialization.jsonObject(with: try encoder.encode(tinyConfiguration(layers: 2)))
            let g = try JSONSerialization.jsonObject(with: try encoder.encode(tinyConfiguration(layers: 1)))
            try JSONSerialization.data(withJSONObject: ["embedding_sharing": "gdes", "generator": g, "discriminator": d]).write(to: config)
        } else {
            try encoder.encode(tinyConfiguration(layers: 2)).write(to: config)
        }
        var o = PretrainingOptions(task: task, dataDirectory: data, outputDirectory: dir.appendingPathComponent("out"),
                                   modelConfig: config.path, vocabPath: tokenizerFolder)
        o.maxSequenceLength = 24
        o.numTrainingSteps = steps
        o.trainBatchSize = 3
        o.evalBatchSize = 4
        o.dumpInterval = dump
        o.training.learningRate = 2e-3
        o.training.warmup = 1
        o.keepCheckpoints = 5
        return o
    }

    func testRTDRunWritesModelsLogsAndEvaluations() throws {
        let dir = try temporaryFolder(self)
        let o = try setUpRun(.rtd, dir: dir)
        let records = try PretrainingRun(o, logger: .init(label: "test")).run()
        XCTAssertEqual(records.map(\.step), [2, 4])
        for key in ["generator_accuracy", "generator_perplexity", "discriminator_accuracy", "discriminator_f1", "replaced_fraction"] {
            XCTAssertNotNil(records[1].metrics[key], key)
        }
        let out = o.outputDirectory
        let lines = try String(contentsOf: out.appendingPathComponent("eval_results.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(try JSONLinesFile<EvaluationRecord>.read(out.appendingPathComponent("eval_results.jsonl")), records)
        let log = try String(contentsOf: out.appendingPathComponent("training_log.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(log.count, 4)
        XCTAssertTrue(log[0].contains("\"discriminator_loss\""))

        // Generator: a masked-LM folder transformers reads (legacy false) with the position table the EMD needs.
        let generatorConfig = try DeBERTaConfiguration.load(from: out.appendingPathComponent("generator/config.json"))
        XCTAssertEqual(generatorConfig.architectures, ["DebertaV2ForMaskedLM"])
        XCTAssertEqual(generatorConfig.legacy, false)
        let generatorTensors = try SafeTensors.read(from: out.appendingPathComponent("generator/model.safetensors")).tensors
        XCTAssertNotNil(generatorTensors["lm_predictions.lm_head.dense.weight"])
        XCTAssertNotNil(generatorTensors["deberta.embeddings.position_embeddings.weight"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("generator/spm.model").path))

        // Discriminator: E_D = E_G + E_Δ materialised, RTD head, no residuals in the export.
        let d = try SafeTensors.read(from: out.appendingPathComponent("discriminator/model.safetensors")).tensors
        XCTAssertNotNil(d["mask_predictions.classifier.weight"])
        XCTAssertNil(d["deberta.embeddings.word_embeddings._weight"])
        let checkpoint = try XCTUnwrap(CheckpointFolder.latest(in: out.appendingPathComponent("checkpoints")))
        XCTAssertEqual(checkpoint.url.lastPathComponent, "checkpoint-000004")
        let delta = try XCTUnwrap(try SafeTensors.read(from: checkpoint.url.appendingPathComponent("discriminator.safetensors")).tensors["deberta.embeddings.word_embeddings._weight"]).floatValues()
        XCTAssertGreaterThan(delta.map(abs).max()!, 0, "E_Δ was trained")
        let eG = try XCTUnwrap(generatorTensors["deberta.embeddings.word_embeddings.weight"]).floatValues()
        let eD = try XCTUnwrap(d["deberta.embeddings.word_embeddings.weight"]).floatValues()
        for i in stride(from: 0, to: eD.count, by: 97) { XCTAssertEqual(eD[i], eG[i] + delta[i]) }

        // `deberta train --pre_trained OUTPUT/discriminator`: the folder loads with a fresh classifier.
        let (classifier, report) = try DeBERTaModel.load(from: out.appendingPathComponent("discriminator"), head: .sequenceClassification(numLabels: 2), newHeadSeed: 3)
        XCTAssertEqual(Set(report.initialized), ["pooler.dense.weight", "pooler.dense.bias", "classifier.weight", "classifier.bias"])
        XCTAssertTrue(report.unexpected.allSatisfy { $0.hasPrefix("mask_predictions.") }, "\(report.unexpected)")
        XCTAssertEqual(classifier.embeddings.wordEmbeddings.value.scalars, eD)

        // fill-mask: works on the generator, explains itself on the discriminator.
        let tokenizer = try v3Tokenizer()
        let (generator, _) = try DeBERTaModel.load(from: out.appendingPathComponent("generator"))
        let candidates = try FillMask(model: generator, tokenizer: tokenizer).predict("Paris is the [MASK] of France.", topK: 3)
        XCTAssertEqual(candidates.count, 1)
        XCTAssertEqual(candidates[0].count, 3)
        XCTAssertGreaterThanOrEqual(candidates[0][0].probability, candidates[0][1].probability)
        let (discriminator, _) = try DeBERTaModel.load(from: out.appendingPathComponent("discriminator"))
        XCTAssertThrowsError(try FillMask(model: discriminator, tokenizer: tokenizer, folder: "disc")) { error in
            XCTAssertTrue("\(error)".contains("discriminator") && "\(error)".contains("generator"), "\(error)")
        }
    }

    /// `--resume` after losing the last checkpoint recomputes the same steps, evaluations and models.
    func testResumeReproducesTheRun() throws {
        for task in PretrainingTask.allCases {
            let dir = try temporaryFolder(self)
            var o = try setUpRun(task, dir: dir, steps: 4, dump: 2)
            let first = try PretrainingRun(o, logger: .init(label: "test")).run()
            let out = o.outputDirectory
            let log = try String(contentsOf: out.appendingPathComponent("training_log.jsonl"), encoding: .utf8)
            let model = task == .mlm ? "model" : "discriminator"
            let weights = try Data(contentsOf: out.appendingPathComponent("\(model)/model.safetensors"))
            try FileManager.default.removeItem(at: out.appendingPathComponent("checkpoints/checkpoint-000004"))
            o.resume = true
            let second = try PretrainingRun(o, logger: .init(label: "test")).run()
            XCTAssertEqual(second, first, "\(task): evaluations after resume")
            XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("training_log.jsonl"), encoding: .utf8), log, "\(task): training log after resume")
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("\(model)/model.safetensors")), weights, "\(task): final weights after resume")
        }
    }

    func testBadSettingsAreClearErrors() throws {
        let dir = try temporaryFolder(self)
        var o = try setUpRun(.rtd, dir: dir)
        o.maxSequenceLength = 100
        XCTAssertThrowsError(try PretrainingRun(o, logger: .init(label: "test")).run()) { XCTAssertTrue("\($0)".contains("max_position_embeddings 64"), "\($0)") }
        o = try setUpRun(.mlm, dir: dir)
        o.dataDirectory = dir.appendingPathComponent("nowhere")
        XCTAssertThrowsError(try PretrainingRun(o, logger: .init(label: "test")).run()) { XCTAssertTrue("\($0)".contains("train.txt"), "\($0)") }
        let bad = dir.appendingPathComponent("es.json")
        try Data(#"{"embedding_sharing": "es", "generator": {}, "discriminator": {}}"#.utf8).write(to: bad)
        XCTAssertThrowsError(try PretrainingModels.configurations(bad.path, task: .rtd)) { XCTAssertTrue("\($0)".contains("only gdes"), "\($0)") }
    }
}

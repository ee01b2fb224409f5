import DeBERTaTensors
import Foundation
import XCTest
@testable import DeBERTaModeling
@testable import DeBERTaTraining

/// The files of a run: JSON-lines logs, checkpoint states, the options stored in them.
final class EngineFilesTests: XCTestCase {
    func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deberta-engine-files-\(getpid())-\(name.filter(\.isLetter))")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Records go out one line each and come back equal; a line cut short is skipped when read and
    /// gone after `keep`, which also drops what a resumed run will redo.
    func testJSONLinesAppendReadAndKeep() throws {
        let url = try temporaryFolder().appendingPathComponent("eval_results.jsonl")
        let file = JSONLinesFile<EvaluationRecord>(url)
        let records = [EvaluationRecord(step: 2, epoch: 0.5, split: "dev", metrics: ["accuracy": 0.1 + 0.2, "examples": 40]),
                       EvaluationRecord(step: 4, split: "valid", metrics: ["perplexity": 1e-5, "eval_loss": 8.606402397155762])]
        for r in records { try file.append(r) }
        XCTAssertEqual(try JSONLinesFile<EvaluationRecord>.read(url), records, "numbers read back exactly")
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix(#"{"accuracy":0.30000000000000004,"epoch":0.5,"examples":40,"split":"dev","step":2}"#), text)
        XCTAssertFalse(text.split(separator: "\n")[1].contains("epoch"), "pretraining records have no epoch")

        let handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
        handle.write(Data(#"{"step": 6, "split": "va"#.utf8))
        try handle.close()
        XCTAssertEqual(try JSONLinesFile<EvaluationRecord>.read(url), records)
        XCTAssertEqual(try file.keep { $0.step <= 2 }, [records[0]])
        try file.append(records[1])
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), text, "the torn line is gone, the file as before")
    }

    /// Non-finite values are written as null (JSON has no NaN) and read back as NaN.
    func testNonFiniteNumbersAreNull() throws {
        let url = try temporaryFolder().appendingPathComponent("training_log.jsonl")
        let file = JSONLinesFile<TrainingLogEntry>(url)
        try file.append(TrainingLogEntry(step: 1, epoch: 0, result: StepResult(loss: .nan, learningRate: 1e-3, gradientNorm: .infinity, skipped: 2),
                                         extra: ["masked_tokens": 20]))
        let line = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(line, #"{"epoch":1,"grad_norm":null,"learning_rate":0.001,"loss":null,"masked_tokens":20,"skipped":2,"step":1}"# + "\n")
        let entry = try XCTUnwrap(try JSONLinesFile<TrainingLogEntry>.read(url).first)
        XCTAssertTrue(entry.result.loss.isNaN && entry.result.gradientNorm.isNaN)
        XCTAssertEqual(entry.extra, ["masked_tokens": 20])
    }

    /// Options stored by checkpoints from before the mixed-precision split (`fp16`) still load,
    /// with both settings on; new states carry the two names.
    func testOptionsOfOlderCheckpointsStillDecode() throws {
        var options = TrainingOptions()
        options.learningRate = 3e-5
        options.bf16MatrixProducts = true
        options.dynamicLossScaling = true
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: JSONEncoder().encode(options)) as? [String: Any])
        XCTAssertEqual(object["bf16MatrixProducts"] as? Bool, true)
        XCTAssertNil(object["fp16"])
        object["bf16MatrixProducts"] = nil
        object["dynamicLossScaling"] = nil
        object["fp16"] = true
        let old = try JSONDecoder().decode(TrainingOptions.self, from: JSONSerialization.data(withJSONObject: object))
        XCTAssertEqual(old, options)
        object["fp16"] = false
        XCTAssertFalse(try JSONDecoder().decode(TrainingOptions.self, from: JSONSerialization.data(withJSONObject: object)).bf16MatrixProducts)
    }

    /// A fine-tuning checkpoint keeps the layout of earlier ones: `model.safetensors`,
    /// `optimizer.safetensors`, and the group's counters at the top level of `trainer_state.json`.
    func testTrainerCheckpointLayout() throws {
        let dir = try temporaryFolder()
        let model = try DeBERTaModel(configuration: tinyConfig(), head: .sequenceClassification(numLabels: 2), seed: 3)
        var options = TrainingOptions()
        options.totalSteps = 2
        let trainer = Trainer(model: model, options: options)
        let batch = TrainingBatch(input: ModelInput(inputIds: IndexTensor([3, 5, 7, 9, 4, 6], shape: [2, 3])),
                                  labels: .classes(IndexTensor([0, 1], shape: [2])))
        _ = try trainer.train(batch)
        let folder = try trainer.saveCheckpoint(position: DataPosition(epoch: 0, batch: 1), in: dir)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted(),
                       ["model.safetensors", "optimizer.safetensors", "trainer_state.json"])
        let state = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.url.appendingPathComponent("trainer_state.json"))) as? [String: Any])
        XCTAssertEqual(Set(state.keys), ["step", "scaler", "random", "optimizerSteps", "position", "options", "extra"])
        XCTAssertEqual(state["step"] as? Int, 1)
        XCTAssertThrowsError(try Trainer(model: DeBERTaModel(configuration: tinyConfig(), head: .sequenceClassification(numLabels: 3), seed: 3),
                                         options: options).restore(from: folder)) { error in
            XCTAssertTrue("\(error)".contains("model.safetensors: lacks parameter classifier"), "\(error)")
        }
    }
}

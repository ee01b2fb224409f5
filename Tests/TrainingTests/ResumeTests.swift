import Foundation
import DeBERTaTensors
import DeBERTaTestSupport
import XCTest
@testable import DeBERTaModeling
@testable import DeBERTaTraining

final class ResumeTests: XCTestCase {
    func batch(_ k: Int) -> TrainingBatch {
        var ids: [Int32] = []
        for i in 0..<(4 * 6) { ids.append(Int32(3 + (i * 7 + k * 5) % 13)) }
        let mask = IndexTensor((0..<24).map { $0 % 6 < 4 + ($0 / 6) % 3 ? 1 : 0 }, shape: [4, 6])
        return TrainingBatch(input: ModelInput(inputIds: IndexTensor(ids, shape: [4, 6]), attentionMask: mask),
                             labels: .classes(IndexTensor([0, 1, 1, 0].map { ($0 + k) % 2 }, shape: [4])))
    }

    var mixedPrecision = false

    func makeTrainer() throws -> Trainer {
        var c = tinyConfig()
        c.hiddenDropoutProb = 0.1
        c.attentionProbsDropoutProb = 0.1
        let model = try DeBERTaModel(configuration: c, head: .sequenceClassification(numLabels: 2), seed: 3)
        var o = TrainingOptions()
        o.learningRate = 1e-2
        o.totalSteps = 8
        o.bf16MatrixProducts = mixedPrecision   // bf16 products and the loss scaler state, in the mixed-precision test
        o.dynamicLossScaling = mixedPrecision
        o.lossScale = 1024
        o.scaleSteps = 2
        return Trainer(model: model, options: o)
    }

    /// A run checkpointed after step 3 and resumed in a fresh trainer gives exactly the losses of
    /// the uninterrupted run (dropout on, so the random stream must be restored too).
    func testResumeReproducesTheUninterruptedRun() throws {
        let straight = try makeTrainer()
        let reference = try (0..<8).map { try straight.train(batch($0)).loss }

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deberta-resume-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let first = try makeTrainer()
        var losses = try (0..<3).map { try first.train(batch($0)).loss }
        try first.saveCheckpoint(position: DataPosition(epoch: 0, batch: 3), extra: ["best": "0.5"], in: dir)

        let resumed = try makeTrainer()
        let latest = try XCTUnwrap(CheckpointFolder.latest(in: dir))
        XCTAssertEqual(latest.url.lastPathComponent, "checkpoint-000003")
        let (position, extra) = try resumed.restore(from: latest)
        XCTAssertEqual(position, DataPosition(epoch: 0, batch: 3))
        XCTAssertEqual(extra["best"], "0.5")
        XCTAssertEqual(resumed.step, 3)
        XCTAssertEqual(resumed.scaler, first.scaler)
        losses += try (3..<8).map { try resumed.train(batch($0)).loss }
        XCTAssertEqual(losses, reference)
    }

    /// The same with mixed precision (bf16 matrix products, dynamic loss scaling); needs oneDNN.
    func testResumeReproducesTheUninterruptedMixedPrecisionRun() throws {
        try requireOneDNN()
        mixedPrecision = true
        try testResumeReproducesTheUninterruptedRun()
    }
}

import Foundation
import DeBERTaTensors
import DeBERTaTestSupport
import XCTest
@testable import DeBERTaModeling
@testable import DeBERTaTraining

/// `deberta train --fp16 True` (``TrainingOptions/bf16MatrixProducts`` with dynamic loss scaling): the
/// trainer's passes run with bf16 matrix products, and the run stays close to the float32 one.
final class MixedPrecisionTrainingTests: XCTestCase {
    func testFP16StepsUseBF16ProductsAndTrackFloat32() throws {
        try requireOneDNN()
        var c = tinyConfig()
        c.hiddenSize = 32; c.intermediateSize = 64; c.numAttentionHeads = 4; c.vocabSize = 40
        let ids = IndexTensor((0..<(4 * 9)).map { Int32(3 + ($0 * 11) % 37) }, shape: [4, 9])
        let batch = TrainingBatch(input: ModelInput(inputIds: ids), labels: .classes(IndexTensor([0, 1, 1, 0], shape: [4])))
        func losses(mixedPrecision: Bool) throws -> [Float] {
            let model = try DeBERTaModel(configuration: c, head: .sequenceClassification(numLabels: 2), seed: 5)
            var o = TrainingOptions()
            o.learningRate = 1e-3
            o.totalSteps = 4
            o.bf16MatrixProducts = mixedPrecision
            o.dynamicLossScaling = mixedPrecision
            let trainer = Trainer(model: model, options: o)
            let l = try (0..<4).map { _ in try trainer.train(batch).loss }
            return l
        }
        let a = try losses(mixedPrecision: false), b = try losses(mixedPrecision: true)
        print("fp32 losses \(a), bf16 losses \(b)")
        XCTAssertNotEqual(a[0], b[0], "the first loss (before any update) is the same: bf16 products did not run")
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-2) }
        XCTAssertLessThan(b[3], b[0], "training with bf16 products lowers the loss")
    }
}

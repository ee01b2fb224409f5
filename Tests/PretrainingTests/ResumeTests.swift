import DeBERTaModeling
import Foundation
import DeBERTaTensors
import DeBERTaTraining
import XCTest
@testable import DeBERTaPretraining

/// A checkpoint restored into fresh models continues with exactly the losses of the uninterrupted run.
final class ResumeTests: XCTestCase {
    func dataset(_ task: PretrainingTask, size: Int) throws -> PretrainingDataset {
        let vocabulary = PieceVocabulary(tokenizer: try v3Tokenizer())
        let masker = task == .mlm ? try NGramMaskGenerator(maxGram: 3) : try NGramMaskGenerator(maxSequenceLength: 16, maxGram: 1, maskProbability: 1, keepProbability: 0)
        return try PretrainingDataset(corpus: try PreparedCorpus(url: resources.appendingPathComponent("prepare_expected.txt")),
                                      vocabulary: vocabulary, masker: masker, maxSequenceLength: 16, size: size, shuffled: true)
    }

    func trainer(_ task: PretrainingTask, seed: UInt64, decoupled: Bool = true, lossScaling: Bool = false) throws -> PretrainingTrainer {
        var options = TrainingOptions()
        options.learningRate = 3e-3
        options.warmup = 0.25
        options.totalSteps = 6
        options.seed = 11
        options.dynamicLossScaling = lossScaling
        options.accumulativeUpdate = 2
        let generator = try DeBERTaModel(configuration: tinyConfiguration(layers: task == .mlm ? 2 : 1), head: .maskedLM, seed: seed)
        if task == .mlm { return try PretrainingTrainer(mlm: generator, options: options) }
        let discriminator = try DeBERTaModel(configuration: tinyConfiguration(layers: 2), head: .replacedTokenDetection, seed: seed &+ 1)
        var d = options
        d.learningRate = 1e-3
        return try PretrainingTrainer(generator: generator, discriminator: discriminator,
                                      sharing: try GradientDisentangledSharing(generator: generator, discriminator: discriminator),
                                      options: options, discriminatorOptions: d, rtdLambda: 10, decoupled: decoupled)
    }

    func losses(_ t: PretrainingTrainer, _ data: PretrainingDataset, steps: Range<Int>, batch: Int) throws -> [[Float]] {
        try steps.map { s in
            let r = try t.train(try data.batch(Array((s * batch)..<((s + 1) * batch))))
            return [r.loss, r.generatorLoss, r.discriminatorLoss ?? -1]
        }
    }

    func checkResume(_ task: PretrainingTask, decoupled: Bool = true, lossScaling: Bool = false) throws {
        let batch = 4, data = try dataset(task, size: 6 * batch)
        let straight = try losses(try trainer(task, seed: 5, decoupled: decoupled, lossScaling: lossScaling), data, steps: 0..<6, batch: batch)
        let first = try trainer(task, seed: 5, decoupled: decoupled, lossScaling: lossScaling)
        let head = try losses(first, data, steps: 0..<3, batch: batch)
        let dir = try temporaryFolder(self)
        let folder = try first.saveCheckpoint(nextSample: 3 * batch, in: dir)
        // Fresh models from another seed: everything must come from the checkpoint.
        let second = try trainer(task, seed: 99, decoupled: decoupled, lossScaling: lossScaling)
        XCTAssertEqual(try second.restore(from: folder), 3 * batch)
        XCTAssertEqual(second.step, 3)
        let tail = try losses(second, data, steps: 3..<6, batch: batch)
        XCTAssertEqual(head + tail, straight, "\(task) decoupled \(decoupled): resumed losses differ")
        XCTAssertNotEqual(straight[0], straight[5], "training changes the losses")
        print("\(task)\(decoupled ? "" : " joint")\(lossScaling ? " fp16" : ""): losses \(straight.map { $0[0] })")
    }

    func testMLMResumesExactly() throws { try checkResume(.mlm) }
    func testRTDResumesExactly() throws { try checkResume(.rtd) }
    func testJointRTDResumesExactly() throws { try checkResume(.rtd, decoupled: false, lossScaling: true) }
}

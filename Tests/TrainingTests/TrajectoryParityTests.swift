import DeBERTaCheckpoint
import Foundation
import DeBERTaTensors
import DeBERTaTestSupport
import XCTest
@testable import DeBERTaModeling
@testable import DeBERTaTraining

/// 30 fine-tuning steps against PyTorch + transformers (Scripts/make_trajectory_reference.py):
/// the loss of every step must agree within 1e-4 relative.
final class TrajectoryParityTests: XCTestCase {
    struct Run: Decodable {
        let fixture: String
        let optimizer: String
        let accumulative_update: Int
        let num_labels: Int
        let steps: Int
        let learning_rate: Double
        let warmup: Double
        let max_grad_norm: Double
        let epsilon: Double
        let weight_decay: Double
    }

    func testLossTrajectoriesMatchPyTorch() throws {
        let url = try References.packageFile("Tests/TrainingTests/Resources/trajectory.safetensors")
        let (tensors, metadata) = try SafeTensors.read(from: url)
        let runs = try JSONDecoder().decode([String: Run].self, from: Data(metadata["runs"]!.utf8))
        XCTAssertEqual(runs.count, 5)
        var compared = 0, steps = 0
        for (name, run) in runs.sorted(by: { $0.key < $1.key }) {
            let folder = try References.fixture(run.fixture)
            var config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
            config.hiddenDropoutProb = 0
            config.attentionProbsDropoutProb = 0
            config.clsDropout = 0
            config.poolerDropout = 0
            var weights: [String: StoredTensor] = [:]
            for (k, v) in tensors where k.hasPrefix(name + ".init.") { weights[String(k.dropFirst(name.count + 6))] = v }
            let (model, _) = try DeBERTaModel.load(configuration: config, tensors: weights, file: name,
                                                   head: .sequenceClassification(numLabels: run.num_labels))
            var options = TrainingOptions()
            options.learningRate = run.learning_rate
            options.warmup = run.warmup
            options.totalSteps = run.steps
            options.schedule = .warmupLinear
            options.accumulativeUpdate = run.accumulative_update
            options.maxGradNorm = run.max_grad_norm
            options.adam = AdamConfiguration(variant: run.optimizer == "adamw" ? .adamw : .xadam,
                                             epsilon: run.epsilon, weightDecay: run.weight_decay)
            let trainer = Trainer(model: model, options: options)
            let expected = tensors[name + ".losses"]!.floatValues()
            var worst: Float = 0
            XCTAssertEqual(expected.count, run.steps, "\(name): reference losses")
            for k in 0..<run.steps {
                let p = "\(name).step\(k)."
                func ids(_ n: String) throws -> IndexTensor {
                    let t = tensors[p + n]!
                    return IndexTensor(try t.int64Values().map { Int32($0) }, shape: t.shape)
                }
                let y = tensors[p + "labels"]!
                let labels: Labels = y.dtype.isFloatingPoint ? .values(Tensor(y.floatValues(), shape: y.shape)) : .classes(try ids("labels"))
                let batch = TrainingBatch(input: ModelInput(inputIds: try ids("input_ids"), attentionMask: try ids("attention_mask")), labels: labels)
                let result = try trainer.train(batch)
                let rel = abs(result.loss - expected[k]) / max(abs(expected[k]), 1e-6)
                worst = max(worst, rel)
                XCTAssertLessThanOrEqual(rel, 1e-4, "\(name) step \(k): \(result.loss) vs \(expected[k])")
            }
            print("trajectory \(name): \(run.steps) steps, worst relative loss difference \(worst)")
            compared += 1
            steps += run.steps
        }
        XCTAssertEqual(compared, 5)
        XCTAssertEqual(steps, 5 * 30, "steps compared over the 5 runs")
    }
}

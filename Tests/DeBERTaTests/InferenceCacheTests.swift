import DeBERTaCheckpoint
import DeBERTaTestSupport
import Foundation
import DeBERTaTensors
import XCTest
@testable import DeBERTaModeling

/// In inference mode the normalised relative table and each layer's position projections are
/// computed once and reused, and linear weights are packed once into caches the model owns; they
/// must give the numbers of the uncached path (exactly on a second call; within float32
/// summation-order differences of the `sgemm` path, which passes recording gradients take), follow
/// changes of length, and be recomputed when a weight changes. The mode alone decides: the
/// parameters stay trainable throughout.
final class InferenceCacheTests: XCTestCase {
    func testCachedPositionTermsEqualTheUncachedPath() throws {
        var compared = 0
        for name in tinyFixtureNames {
            let folder = try fixtureFolder(name)
            let ref = try Reference(folder.appendingPathComponent("reference.safetensors"))
            let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
            guard config.relativeAttention else { continue }
            let tensors = try fixtureTensors(folder)
            let model = try DeBERTaModel.load(configuration: config, tensors: tensors, file: name, head: .maskedLM).model
            let input = try ref.input()
            func cached(_ x: ModelInput) throws -> [Float] { try model(x).hiddenStates.last!.scalars }
            func uncached(_ x: ModelInput) throws -> [Float] {
                try model(x, context: ForwardContext(mode: .gradientsWithoutDropout)).hiddenStates.last!.scalars
            }

            let first = try cached(input)
            XCTAssertEqual(try cached(input), first, "\(name): second call (cached)")
            XCTAssertLessThanOrEqual(maxAbsDiff(try uncached(input), first), 2e-5, "\(name): uncached path")
            XCTAssertEqual(try cached(input), first, "\(name): the caches are rebuilt after a pass recording gradients")

            // A shorter batch reaches fewer relative rows: the cache must not serve the longer table.
            let n = input.inputIds.shape[1], b = input.inputIds.shape[0], k = n - 3
            func prefix(_ t: IndexTensor?) -> IndexTensor? {
                t.map { t in IndexTensor((0..<b).flatMap { r in t.values[(r * n)..<(r * n + k)] }, shape: [b, k]) }
            }
            let short = ModelInput(inputIds: prefix(input.inputIds)!, attentionMask: prefix(input.attentionMask),
                                   tokenTypeIds: prefix(input.tokenTypeIds), positionIds: prefix(input.positionIds))
            XCTAssertLessThanOrEqual(maxAbsDiff(try cached(short), try uncached(short)), 2e-5, "\(name): shorter input")

            // Weights changed in place (as an optimizer does, marking the storage) are seen at once.
            _ = try cached(input)
            let rel = model.encoder.relativeEmbeddings!.value
            for i in 0..<rel.count { rel.data[i] *= 1.5 }
            rel.storage.markModified()
            let q = model.encoder.layers[0].attention.positionWeights[0]
            for i in 0..<q.count { q.data[i] *= -1 }
            q.storage.markModified()
            let changed = try cached(input)
            XCTAssertLessThanOrEqual(maxAbsDiff(changed, try uncached(input)), 2e-5, "\(name): after a weight change")
            XCTAssertGreaterThan(maxAbsDiff(changed, first), 1e-3, "\(name): the change must show")
            compared += 1
        }
        XCTAssertEqual(compared, 5, "every fixture but deberta-v1-absolute has relative attention")
    }

    /// A v3-shaped model with a classification head, dropout on (as in training).
    func smallModel() throws -> DeBERTaModel {
        var c = DeBERTaConfiguration(modelType: "deberta-v2")
        c.vocabSize = 50; c.hiddenSize = 32; c.numHiddenLayers = 2; c.numAttentionHeads = 4; c.intermediateSize = 64
        c.maxPositionEmbeddings = 64; c.relativeAttention = true; c.positionBuckets = 16; c.posAttType = ["p2c", "c2p"]
        c.positionBiasedInput = false; c.shareAttKey = true; c.normRelEbd = "layer_norm"
        return try DeBERTaModel(configuration: c, head: .sequenceClassification(numLabels: 2), seed: 3)
    }

    let input = ModelInput(inputIds: IndexTensor((0..<24).map { Int32(3 + ($0 * 7) % 45) }, shape: [3, 8]))
    let labels = Labels.classes(IndexTensor([0, 1, 1] as [Int32], shape: [3]))

    /// Inference with trainable parameters records nothing and packs every linear weight; a training
    /// pass records gradients and empties the packed copies, which the next inference makes again.
    func testModeDecidesBetweenTrainingAndInference() throws {
        let model = try smallModel()
        XCTAssertTrue(model.parameters.allSatisfy(\.value.requiresGrad), "parameters are trainable by default")
        let out = try model(input, labels: labels)
        XCTAssertFalse(out.logits!.requiresGrad, "inference records no gradient")
        XCTAssertFalse(out.loss!.requiresGrad)
        let packedBytes = model.weightCaches.reduce(0) { $0 + $1.byteCount }
        if PackedWeight.isAvailable {
            XCTAssertTrue(model.weightCaches.allSatisfy { $0.byteCount > 0 }, "every linear layer multiplied by its packed weight")
        }

        let training = try model(input, labels: labels, context: ForwardContext(mode: .training, seed: 1))
        XCTAssertTrue(training.loss!.requiresGrad)
        XCTAssertEqual(model.weightCaches.reduce(0) { $0 + $1.byteCount }, 0, "a training pass drops the weight copies")
        training.loss!.backward()
        XCTAssertTrue(model.parameters.contains { $0.grad != nil }, "gradients reach the parameters")

        let again = try model(input, labels: labels)
        XCTAssertEqual(again.logits!.scalars, out.logits!.scalars, "no update, same inference result")
        XCTAssertEqual(model.weightCaches.reduce(0) { $0 + $1.byteCount }, packedBytes)
    }

    /// Inference attention runs fused, keeping no `[B, heads, N, N]` score tensor: a pass at N = 256
    /// peaks below the size of one, where a pass recording gradients holds several.
    func testInferenceAttentionIsFused() throws {
        let model = try smallModel()
        let n = 256, heads = 4
        let long = ModelInput(inputIds: IndexTensor((0..<n).map { Int32(3 + ($0 * 7) % 45) }, shape: [1, n]))
        let scoreBytes = heads * n * n * MemoryLayout<Float>.stride
        _ = try model.encode(long)
        let before = TensorStorage.liveBytes
        TensorStorage.resetPeakBytes()
        _ = try model.encode(long)
        XCTAssertLessThan(TensorStorage.peakBytes - before, scoreBytes, "inference keeps no score tensor")
        TensorStorage.resetPeakBytes()
        _ = try model.encode(long, context: ForwardContext(mode: .gradientsWithoutDropout))
        XCTAssertGreaterThan(TensorStorage.peakBytes - before, scoreBytes, "the unfused path does")
    }

    /// Training steps alternating with evaluations, without anything released by hand: after every
    /// evaluation the tensors alive and the weight copies held are the same as after the first.
    func testMemoryStaysFlatAcrossTrainingAndEvaluation() throws {
        let model = try smallModel()
        var context = ForwardContext(mode: .training, seed: 7)
        func trainingStep() throws {
            let loss = try model(input, labels: labels, context: context).loss!
            loss.backward()
            for p in model.parameters {
                guard let g = p.grad else { continue }
                for i in 0..<p.value.count { p.value.data[i] -= 1e-3 * g.data[i] }
                p.value.storage.markModified()
                p.value.node?.zeroGrad()
            }
        }
        var evaluations: [[Float]] = []
        var footprints: [(live: Int, copies: Int)] = []
        for round in 0..<4 {
            try trainingStep()
            XCTAssertEqual(model.weightCaches.reduce(0) { $0 + $1.byteCount }, 0, "round \(round): copies dropped while training")
            evaluations.append(try model(input).logits!.scalars)
            footprints.append((TensorStorage.liveBytes, model.weightCaches.reduce(0) { $0 + $1.byteCount }))
            context = ForwardContext(mode: .training, seed: UInt64(8 + round))
        }
        XCTAssertNotEqual(evaluations[0], evaluations[3], "the updates change the evaluation")
        for (round, f) in footprints.enumerated().dropFirst() {
            XCTAssertEqual(f.live, footprints[0].live, "round \(round): tensors alive after evaluation")
            XCTAssertEqual(f.copies, footprints[0].copies, "round \(round): weight copies held")
        }
    }
}

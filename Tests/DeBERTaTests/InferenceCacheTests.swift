import DeBERTaCheckpoint
import DeBERTaTestSupport
import Foundation
import DeBERTaTensors
import XCTest
@testable import DeBERTaModeling

/// In inference (no parameter records gradients, no dropout) the normalised relative table and each
/// layer's position projections are computed once and reused, and linear weights are packed once;
/// they must give the numbers of the uncached path (exactly on a second call; within float32
/// summation-order differences of the `sgemm` path, which trainable weights take), follow changes
/// of length, and be recomputed when a weight changes.
final class InferenceCacheTests: XCTestCase {
    func testCachedPositionTermsEqualTheUncachedPath() throws {
        var compared = 0
        for name in tinyFixtureNames {
            let folder = try fixtureFolder(name)
            let ref = try Reference(folder.appendingPathComponent("reference.safetensors"))
            let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
            guard config.relativeAttention else { continue }
            let tensors = try fixtureTensors(folder)
            let frozen = try DeBERTaModel.load(configuration: config, tensors: tensors, file: name, head: .maskedLM).model
            let trainable = try DeBERTaModel.load(configuration: config, tensors: tensors, file: name, head: .maskedLM).model
            frozen.setRequiresGrad(false)
            trainable.setRequiresGrad(true)
            let input = try ref.input()
            func last(_ m: DeBERTaModel, _ x: ModelInput) throws -> [Float] { try m(x).hiddenStates.last!.scalars }

            let first = try last(frozen, input)
            XCTAssertEqual(try last(frozen, input), first, "\(name): second call (cached)")
            XCTAssertLessThanOrEqual(maxAbsDiff(try last(trainable, input), first), 2e-5, "\(name): uncached path")

            // A shorter batch reaches fewer relative rows: the cache must not serve the longer table.
            let n = input.inputIds.shape[1], b = input.inputIds.shape[0], k = n - 3
            func prefix(_ t: IndexTensor?) -> IndexTensor? {
                t.map { t in IndexTensor((0..<b).flatMap { r in t.values[(r * n)..<(r * n + k)] }, shape: [b, k]) }
            }
            let short = ModelInput(inputIds: prefix(input.inputIds)!, attentionMask: prefix(input.attentionMask),
                                   tokenTypeIds: prefix(input.tokenTypeIds), positionIds: prefix(input.positionIds))
            XCTAssertLessThanOrEqual(maxAbsDiff(try last(frozen, short), try last(trainable, short)), 2e-5, "\(name): shorter input")

            // Weights changed in place (as an optimizer does, marking the storage) are seen at once.
            for model in [frozen, trainable] {
                let rel = model.encoder.relativeEmbeddings!.value
                for i in 0..<rel.count { rel.data[i] *= 1.5 }
                rel.storage.markModified()
                let q = model.encoder.layers[0].attention.positionWeights[0]
                for i in 0..<q.count { q.data[i] *= -1 }
                q.storage.markModified()
            }
            let changed = try last(frozen, input)
            XCTAssertLessThanOrEqual(maxAbsDiff(changed, try last(trainable, input)), 2e-5, "\(name): after a weight change")
            XCTAssertGreaterThan(maxAbsDiff(changed, first), 1e-3, "\(name): the change must show")
            compared += 1
        }
        XCTAssertEqual(compared, 5, "every fixture but deberta-v1-absolute has relative attention")
    }
}

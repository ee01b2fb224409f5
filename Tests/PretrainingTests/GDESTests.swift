import DeBERTaModeling
import Foundation
import DeBERTaTensors
import XCTest
@testable import DeBERTaPretraining

/// Gradient-disentangled embedding sharing (MODEL.md §14).
final class GDESTests: XCTestCase {
    func models() throws -> (DeBERTaModel, DeBERTaModel, GradientDisentangledSharing) {
        let g = try DeBERTaModel(configuration: tinyConfiguration(layers: 1, vocabSize: 50, dropout: 0), head: .maskedLM, seed: 1)
        let d = try DeBERTaModel(configuration: tinyConfiguration(layers: 2, vocabSize: 50, dropout: 0), head: .replacedTokenDetection, seed: 2)
        return (g, d, try GradientDisentangledSharing(generator: g, discriminator: d))
    }

    let input = ModelInput(inputIds: IndexTensor([1, 7, 9, 11, 4, 2, 1, 5, 6, 2, 0, 0] as [Int32], shape: [2, 6]),
                           attentionMask: IndexTensor([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0] as [Int32], shape: [2, 6]))
    let targets = Tensor([0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], shape: [2, 6])

    /// The RTD loss reaches E_Δ but gives exactly zero gradient to the generator's table E_G.
    func testRTDLossDoesNotReachGeneratorEmbeddings() throws {
        let (g, d, sharing) = try models()
        let gradients = ForwardContext(mode: .gradientsWithoutDropout)
        let loss = try XCTUnwrap(try d(input, labels: .values(targets), context: gradients).loss)
        loss.backward()
        let eG = g.embeddings.wordEmbeddings
        XCTAssertNil(eG.grad, "no gradient path from the RTD loss into E_G")
        XCTAssertNil(g.embeddings.positionEmbeddings?.grad)
        let dDelta = try XCTUnwrap(sharing.wordDelta.grad, "E_Δ gets the RTD gradient")
        let used = Set(input.inputIds.values.map(Int.init)).subtracting([0])
        var nonZeroRows = 0
        for row in 0..<50 {
            let norm = (0..<32).map { abs(dDelta.data[row * 32 + $0]) }.reduce(0, +)
            if used.contains(row) { XCTAssertGreaterThan(norm, 0, "row \(row) of E_Δ"); nonZeroRows += 1 } else { XCTAssertEqual(norm, 0, "row \(row)") }
        }
        XCTAssertEqual(nonZeroRows, used.count)
        XCTAssertNil(d.embeddings.wordEmbeddings.grad, "the discriminator's own table is not used")
        // The generator's MLM loss does reach E_G.
        let mlm = try g.maskedLMLogits(input, at: [1, 4, 8], context: gradients)
        crossEntropy(mlm, labels: IndexTensor([7, 4, 6] as [Int32], shape: [3])).backward()
        XCTAssertNotNil(eG.grad)
        XCTAssertGreaterThan(globalNormOf(eG.grad), 0)
    }

    /// The discriminator computes with E_G + E_Δ, and `materialize()` writes exactly that table.
    func testDiscriminatorUsesSumAndMaterializes() throws {
        let (g, d, sharing) = try models()
        let delta = Tensor.randomNormal(sharing.wordDelta.value.shape, std: 0.3, key: 77)
        sharing.wordDelta.value.data.update(from: delta.data, count: delta.count)
        let shared = try XCTUnwrap(try d(input).logits).scalars
        sharing.materialize()
        let eD = d.embeddings.wordEmbeddings.value, eG = g.embeddings.wordEmbeddings.value
        for i in 0..<eD.count { XCTAssertEqual(eD.data[i], eG.data[i] + delta.data[i]) }
        d.embeddings.wordTableOverride = nil
        d.embeddings.positionTableOverride = nil
        XCTAssertEqual(try XCTUnwrap(try d(input).logits).scalars, shared, "the materialised table reproduces the shared forward")
        // And back: E_Δ = E_D − E_G.
        sharing.wordDelta.value.data.update(repeating: 0, count: delta.count)
        sharing.residualsFromTables()
        for i in 0..<delta.count { XCTAssertEqual(sharing.wordDelta.value.data[i], delta.data[i], accuracy: 1e-6) }
    }

    func testResidualsStartAtZeroAndOnlyTheyAreTrained() throws {
        let (_, d, sharing) = try models()
        XCTAssertTrue(sharing.wordDelta.value.scalars.allSatisfy { $0 == 0 })
        XCTAssertTrue(try XCTUnwrap(sharing.positionDelta).value.scalars.allSatisfy { $0 == 0 })
        let names = sharing.discriminatorParameters.map(\.name)
        XCTAssertTrue(names.contains("deberta.embeddings.word_embeddings._weight"))
        XCTAssertFalse(names.contains("deberta.embeddings.word_embeddings.weight"))
        XCTAssertFalse(names.contains("deberta.embeddings.position_embeddings.weight"))
        XCTAssertEqual(names.count, d.parameters.count)  // two tables out, two residuals in
        let other = try DeBERTaModel(configuration: tinyConfiguration(layers: 1, vocabSize: 60, dropout: 0), head: .maskedLM, seed: 1)
        XCTAssertThrowsError(try GradientDisentangledSharing(generator: other, discriminator: d)) { XCTAssertTrue("\($0)".contains("equal word tables"), "\($0)") }
    }

    func globalNormOf(_ t: Tensor?) -> Float { t.map { $0.scalars.map { $0 * $0 }.reduce(0, +).squareRoot() } ?? 0 }
}

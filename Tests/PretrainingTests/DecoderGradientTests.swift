import DeBERTaModeling
import Foundation
import DeBERTaTensors
import DeBERTaTestSupport
import XCTest
@testable import DeBERTaPretraining

/// The pretraining loss through the Enhanced Mask Decoder differentiates correctly: autodiff
/// gradients equal central finite differences for parameters before, inside and after the decoder.
final class DecoderGradientTests: XCTestCase {
    func testMaskedLMGradientsMatchFiniteDifferences() throws {
        var config = tinyConfiguration(layers: 2, vocabSize: 40, dropout: 0)
        config.initializerRange = 0.3
        let model = try DeBERTaModel(configuration: config, head: .maskedLM, seed: 5)
        let input = ModelInput(inputIds: IndexTensor([1, 7, 39, 11, 4, 2, 1, 5, 6, 39, 2, 0] as [Int32], shape: [2, 6]),
                               attentionMask: IndexTensor([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0] as [Int32], shape: [2, 6]))
        let positions = [2, 3, 9], targets = IndexTensor([9, 11, 17] as [Int32], shape: [3])
        // Every pass without dropout or inference caches: the finite differences edit weights in place.
        func loss() throws -> Tensor {
            crossEntropy(try model.maskedLMLogits(input, at: positions, context: ForwardContext(mode: .gradientsWithoutDropout)), labels: targets)
        }
        try loss().backward()
        let names = ["deberta.embeddings.word_embeddings.weight", "deberta.embeddings.position_embeddings.weight",
                     "deberta.encoder.layer.0.attention.self.query_proj.weight", "deberta.encoder.layer.0.intermediate.dense.weight",
                     "deberta.encoder.layer.1.attention.self.key_proj.weight", "deberta.encoder.rel_embeddings.weight",
                     "lm_predictions.lm_head.dense.weight"]
        var checked = 0, worstRatio = 0.0
        for name in names {
            let p = try XCTUnwrap(model.parameter(named: name), name)
            let analytic = try XCTUnwrap(p.grad, "\(name) got no gradient")
            // The entries with the largest gradients, and a few others.
            let order = (0..<p.value.count).sorted { abs(analytic.data[$0]) > abs(analytic.data[$1]) }
            // |analytic − numeric| ≤ atol + rtol · max(|analytic|, |numeric|), atol 1e-4 of the largest gradient.
            let tolerance = GradientTolerance(rtol: 3e-2, atol: 1e-4 * Double(abs(analytic.data[order[0]])))
            for i in Array(order.prefix(4)) + [order[order.count / 3], order[order.count / 2]] {
                let saved = p.value.data[i], h: Float = 1e-2
                let up = saved + h, down = saved - h
                p.value.data[i] = up
                let plus = Double(try loss().item)
                p.value.data[i] = down
                let minus = Double(try loss().item)
                p.value.data[i] = saved
                let numeric = (plus - minus) / (Double(up) - Double(down))
                let a = Double(analytic.data[i])
                XCTAssertTrue(tolerance.accepts(analytic: a, numeric: numeric),
                              "\(name)[\(i)]: analytic \(a) vs numeric \(numeric) (allowed \(tolerance.bound(analytic: a, numeric: numeric)))")
                worstRatio = max(worstRatio, abs(a - numeric) / tolerance.bound(analytic: a, numeric: numeric))
                checked += 1
            }
            XCTAssertGreaterThan(abs(analytic.data[order[0]]), 1e-4, "\(name): gradient not zero")
        }
        print("decoder gradients: \(checked) entries, worst |Δ| / allowed \(worstRatio)")
        XCTAssertEqual(checked, names.count * 6)
    }
}

import Foundation
import DeBERTaTensors
import XCTest
@testable import DeBERTaPretraining

final class ReplacementSamplerTests: XCTestCase {
    /// Draws follow softmax(logits): 60 000 draws from a 5-token distribution land within 1 % of it.
    func testDrawsFollowSoftmax() {
        let logits: [Float] = [2.0, 0.5, -1.0, 1.2, -3.0]
        let probabilities = logits.map { exp(Double($0)) }.map { $0 / logits.map { exp(Double($0)) }.reduce(0, +) }
        let rows = 60_000
        let tensor = Tensor((0..<rows).flatMap { _ in logits }, shape: [rows, 5])
        let sampler = ReplacementSampler(seed: 7)
        let draws = sampler.sample(logits: tensor, keys: (0..<rows).map { ($0 / 100, $0 % 100) })
        var counts = [Int](repeating: 0, count: 5)
        for d in draws { counts[Int(d)] += 1 }
        for c in 0..<5 {
            XCTAssertEqual(Double(counts[c]) / Double(rows), probabilities[c], accuracy: 0.01, "token \(c)")
        }
        // The same keys give the same draws (whatever the batch they come in); other keys differ.
        XCTAssertEqual(sampler.sample(logits: Tensor(Array(tensor.scalars[0..<500]), shape: [100, 5]), keys: (0..<100).map { (0, $0) }), Array(draws[0..<100]))
        XCTAssertNotEqual(ReplacementSampler(seed: 8).sample(logits: tensor, keys: (0..<rows).map { ($0 / 100, $0 % 100) }), draws)
    }

    /// A temperature near zero picks the argmax; a dominant logit is always drawn.
    func testPeakedDistributions() {
        let t = Tensor([0, 0, 30, 0, 1, 0, 0, 0], shape: [2, 4])
        XCTAssertEqual(ReplacementSampler(seed: 1).sample(logits: t, keys: [(0, 0), (0, 1)])[0], 2)
        XCTAssertEqual(ReplacementSampler(seed: 1, temperature: 1e-6).sample(logits: t, keys: [(3, 0), (3, 1)]), [2, 0])
    }
}

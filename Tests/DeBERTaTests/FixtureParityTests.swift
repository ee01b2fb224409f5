import DeBERTaCheckpoint
import DeBERTaTestSupport
import Foundation
import DeBERTaTensors
import XCTest
@testable import DeBERTaModeling

/// Parity with transformers 5.24 on every tiny fixture (Tests/References/fixtures, SOURCES.md there): hidden
/// states, every head's logits and loss, and every parameter gradient, at valid positions.
final class FixtureParityTests: XCTestCase {
    func testHiddenStatesAndMaskedLM() throws {
        var compared = 0
        for name in tinyFixtureNames {
            let folder = try fixtureFolder(name)
            let ref = try Reference(folder.appendingPathComponent("reference.safetensors"))
            let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
            let valid = try ref.validTokens()
            var firstLogits: [Float]? = nil
            for weights in ["model.safetensors", "pytorch_model.bin"] {
                let tensors = try fixtureTensors(folder, weights: weights)
                let (model, _) = try DeBERTaModel.load(configuration: config, tensors: tensors, file: weights, head: .maskedLM)
                let labels = try ref.index("mlm.labels")
                let out = try model(try ref.input(), labels: .classes(labels))
                XCTAssertEqual(out.hiddenStates.count, config.numHiddenLayers + 1)
                var worstHidden: Float = 0
                for (n, h) in out.hiddenStates.enumerated() {
                    let d = maxAbsDiff(h.scalars, ref.floats("hidden_states.\(n)"), width: config.hiddenSize, rows: valid)
                    XCTAssertLessThanOrEqual(d, 1e-5, "\(name) \(weights) hidden_states.\(n)")
                    worstHidden = max(worstHidden, d)
                }
                let refLogits = ref.floats("mlm.logits")
                let scale = refLogits.map(abs).max()!
                let d = maxAbsDiff(out.logits!.scalars, refLogits, width: config.vocabSize, rows: valid)
                XCTAssertLessThanOrEqual(d, 5e-5 + 1e-5 * scale, "\(name) \(weights) mlm.logits")
                print("parity \(name) \(weights): hidden max |Δ| \(worstHidden), mlm.logits max |Δ| \(d) (max |x| \(scale))")
                XCTAssertEqual(out.loss!.item, ref.floats("mlm.loss")[0], accuracy: 1e-5, "\(name) mlm.loss")
                if let firstLogits { XCTAssertEqual(firstLogits, out.logits!.scalars, "\(name): safetensors and pytorch_model.bin differ") }
                firstLogits = out.logits!.scalars
                compared += 1
            }
        }
        XCTAssertEqual(compared, 6 * 2, "6 fixtures × (model.safetensors, pytorch_model.bin)")
    }

    func testRelativePositionsMatchTransformers() throws {
        var compared = 0
        for name in tinyFixtureNames {
            let folder = try fixtureFolder(name)
            let ref = try Reference(folder.appendingPathComponent("reference.safetensors"))
            guard ref.tensors["relative_pos"] != nil else { continue }
            let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
            let n = ref.shape("relative_pos")[0]
            let expected = try ref.tensors["relative_pos"]!.int64Values().map(Int.init)
            XCTAssertEqual(RelativePosition.distances(queries: n, keys: n, configuration: config), expected, name)
            compared += 1
        }
        XCTAssertEqual(compared, 5, "every fixture but deberta-v1-absolute has relative positions")
    }

    func testReleasedBucketsAgreeWithFloat64() {
        // MODEL.md §7.2: for b = 256, m = 512 the float32 and float64 evaluations agree for |r| ≤ 511.
        for r in -511...511 {
            let mid = 128.0
            let a = Double(abs(r))
            let expected = a <= mid ? r : (r < 0 ? -1 : 1) * (Int((log(a / mid) / log(511 / mid) * (mid - 1)).rounded(.up)) + 128)
            XCTAssertEqual(RelativePosition.bucket(r, buckets: 256, maxPosition: 512), expected, "r = \(r)")
        }
        XCTAssertEqual(RelativePosition.bucket(511, buckets: 256, maxPosition: 512), 255)
    }

    func testClassificationHeadsLossesAndGradients() throws {
        var fixtures = 0, gradients = 0
        for name in tinyFixtureNames {
            let folder = try fixtureFolder(name)
            let ref = try Reference(folder.appendingPathComponent("reference.safetensors"))
            let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
            let valid = try ref.validTokens()

            // Sequence classification, 3 labels, with every parameter's gradient.
            let (seq, _) = try DeBERTaModel.load(configuration: config, tensors: try fixtureTensors(folder, headPrefix: "seqcls3"),
                                                 file: name, head: .sequenceClassification(numLabels: 3))
            let out = try seq(try ref.input(), labels: .classes(try ref.index("seqcls3.labels")),
                              context: ForwardContext(mode: .gradientsWithoutDropout))
            XCTAssertLessThanOrEqual(maxAbsDiff(out.logits!.scalars, ref.floats("seqcls3.logits")), 5e-5, "\(name) seqcls3.logits")
            XCTAssertEqual(out.loss!.item, ref.floats("seqcls3.loss")[0], accuracy: 1e-5, "\(name) seqcls3.loss")
            out.loss!.backward()
            var checked = 0
            var worstGrad: Float = 0
            for p in seq.parameters {
                guard ref.tensors["grad." + p.name] != nil else { XCTFail("\(name): no reference gradient for \(p.name)"); continue }
                let g = p.grad?.scalars ?? [Float](repeating: 0, count: p.value.count)
                let d = maxAbsDiff(g, ref.floats("grad." + p.name))
                XCTAssertLessThanOrEqual(d, 1e-6, "\(name) grad.\(p.name)")
                worstGrad = max(worstGrad, d)
                checked += 1
            }
            print("parity \(name): seqcls3 logits max |Δ| \(maxAbsDiff(out.logits!.scalars, ref.floats("seqcls3.logits"))), \(checked) gradients, max |Δ| \(worstGrad)")
            let referenceGrads = ref.tensors.keys.filter { $0.hasPrefix("grad.") }.count
            XCTAssertEqual(checked, referenceGrads, "\(name): every reference gradient is checked")
            gradients += checked

            // Regression (num_labels 1, MSE).
            let (reg, _) = try DeBERTaModel.load(configuration: config, tensors: try fixtureTensors(folder, headPrefix: "seqcls1"),
                                                 file: name, head: .sequenceClassification(numLabels: 1))
            let regOut = try reg(try ref.input(), labels: .values(Tensor(ref.floats("seqcls1.labels"), shape: [3])))
            XCTAssertEqual(regOut.logits!.shape, [3])
            XCTAssertLessThanOrEqual(maxAbsDiff(regOut.logits!.scalars, ref.floats("seqcls1.logits")), 5e-5, "\(name) seqcls1.logits")
            XCTAssertEqual(regOut.loss!.item, ref.floats("seqcls1.loss")[0], accuracy: 1e-5, "\(name) seqcls1.loss")

            // Token classification, 5 labels.
            let (tok, _) = try DeBERTaModel.load(configuration: config, tensors: try fixtureTensors(folder, headPrefix: "tokcls"),
                                                 file: name, head: .tokenClassification(numLabels: 5))
            let tokOut = try tok(try ref.input(), labels: .classes(try ref.index("tokcls.labels")))
            XCTAssertLessThanOrEqual(maxAbsDiff(tokOut.logits!.scalars, ref.floats("tokcls.logits"), width: 5, rows: valid), 5e-5, "\(name) tokcls.logits")
            XCTAssertEqual(tokOut.loss!.item, ref.floats("tokcls.loss")[0], accuracy: 1e-5, "\(name) tokcls.loss")
            fixtures += 1
        }
        XCTAssertEqual(fixtures, 6)
        XCTAssertEqual(gradients, 40 + 46 + 42 + 35 + 37 + 50, "gradients compared over the 6 fixtures")
    }
}

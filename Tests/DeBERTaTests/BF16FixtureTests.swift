import DeBERTaCheckpoint
import DeBERTaTestSupport
import Foundation
import DeBERTaTensors
import XCTest
@testable import DeBERTaModeling

/// The deberta-v3-tiny fixture run with bf16 matrix products in its linear layers, against the
/// same model in float32 and against transformers' float32 reference.
final class BF16FixtureTests: XCTestCase {
    func testLastHiddenStateWithinTwoHundredthsOfFloat32() throws {
        try requireOneDNN()
        let folder = try fixtureFolder("deberta-v3-tiny")
        let ref = try Reference(folder.appendingPathComponent("reference.safetensors"))
        let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
        let (model, _) = try DeBERTaModel.load(configuration: config, tensors: try fixtureTensors(folder), file: "model.safetensors", head: .maskedLM)
        let valid = try ref.validTokens()
        let fp32 = try model(try ref.input()).lastHiddenState.scalars
        let bf16 = try model(try ref.input(), context: ForwardContext(precision: .bf16)).lastHiddenState.scalars
        let d = maxAbsDiff(bf16, fp32, width: config.hiddenSize, rows: valid)
        let dRef = maxAbsDiff(bf16, ref.floats("hidden_states.\(config.numHiddenLayers)"), width: config.hiddenSize, rows: valid)
        print("bf16 deberta-v3-tiny: last_hidden_state max |Δ| vs our float32 \(d), vs transformers \(dRef)")
        XCTAssertLessThanOrEqual(d, 2e-2)
        XCTAssertLessThanOrEqual(dRef, 2e-2)
        XCTAssertGreaterThan(d, 1e-5, "bf16 and float32 agree to float32 precision: the bf16 products did not run")
    }

    func testGradientsCloseToFloat32() throws {
        try requireOneDNN()
        let folder = try fixtureFolder("deberta-v3-tiny")
        let ref = try Reference(folder.appendingPathComponent("reference.safetensors"))
        let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
        func gradients(_ precision: MatmulPrecision) throws -> (loss: Float, grads: [String: [Float]]) {
            let (model, _) = try DeBERTaModel.load(configuration: config, tensors: try fixtureTensors(folder, headPrefix: "seqcls3"),
                                                   file: "model.safetensors", head: .sequenceClassification(numLabels: 3))
            let out = try model(try ref.input(), labels: .classes(try ref.index("seqcls3.labels")),
                                context: ForwardContext(mode: .gradientsWithoutDropout, precision: precision))
            out.loss!.backward()
            var g: [String: [Float]] = [:]
            for p in model.parameters { if let grad = p.grad { g[p.name] = grad.scalars } }
            return (out.loss!.item, g)
        }
        let a = try gradients(.fp32), b = try gradients(.bf16)
        XCTAssertEqual(a.grads.keys.sorted(), b.grads.keys.sorted())
        XCTAssertEqual(b.loss, a.loss, accuracy: 1e-2)
        var worst = (0.0, "")
        for (name, g32) in a.grads {
            // Relative to the parameter's largest gradient: bf16 inputs carry 8 significant bits.
            let scale = Double(g32.map(abs).max()!) + 1e-6
            let d = Double(maxAbsDiff(b.grads[name]!, g32)) / scale
            if d > worst.0 { worst = (d, name) }
        }
        print("bf16 deberta-v3-tiny: loss \(b.loss) vs \(a.loss); worst gradient error \(worst.0) of its max (\(worst.1))")
        XCTAssertLessThanOrEqual(worst.0, 5e-2)
        XCTAssertGreaterThan(worst.0, 1e-5, "bf16 gradients equal float32 ones: the bf16 products did not run")
    }
}

import DeBERTaCheckpoint
import DeBERTaTestSupport
import Foundation
import DeBERTaTensors
import XCTest
@testable import DeBERTaModeling

/// The real deberta-v3-xsmall shape (hidden 384, 12 layers, vocab 128100, 256 buckets). Its
/// ~280 MB of weights are not in the repository: make them with
/// `python ../shared/tools/oracle/make_fixtures.py Fixtures-local 1 --large-only`
/// (or point DEBERTA_LARGE_FIXTURE at such a folder). The reference, config and tolerances are in
/// Tests/References/fixtures/deberta-v3-small-shape.
///
/// Not part of `make test` (which passes `--skip RealShapeParityTests`): `make test-real-shape` runs it
/// alone, and it fails when the weights are absent.
final class RealShapeParityTests: XCTestCase {
    func weightsFolder() throws -> URL {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [ProcessInfo.processInfo.environment["DEBERTA_LARGE_FIXTURE"].map { URL(fileURLWithPath: $0) },
                          packageRoot.appendingPathComponent("Fixtures-local/deberta-v3-small-shape"),
                         ].compactMap { $0 }
        for c in candidates where FileManager.default.fileExists(atPath: c.appendingPathComponent("model.safetensors").path) { return c }
        throw MissingPrerequisite("deberta-v3-small-shape weights are absent from \(candidates.map(\.path)) (make them with "
                                  + "../shared/tools/oracle/make_fixtures.py Fixtures-local 1 --large-only, or set DEBERTA_LARGE_FIXTURE)")
    }

    func testV3SmallShapeMatchesTransformers() throws {
        let shared = try fixtureFolder("deberta-v3-small-shape")
        let weights = try weightsFolder()
        let ref = try Reference(shared.appendingPathComponent("reference.safetensors"))
        let config = try DeBERTaConfiguration.load(from: shared.appendingPathComponent("config.json"))
        let valid = try ref.validTokens()
        let h = config.hiddenSize

        var tensors = try CheckpointFile.loadTensors(from: weights.appendingPathComponent("model.safetensors"))
        let (mlm, _) = try DeBERTaModel.load(configuration: config, tensors: tensors, file: "model.safetensors", head: .maskedLM)
        let out = try mlm(try ref.input(), labels: .classes(try ref.index("mlm.labels")))
        var worst: Float = 0
        XCTAssertEqual(out.hiddenStates.count, 13)
        for n in [0, 1, 6, 12] {
            worst = max(worst, maxAbsDiff(out.hiddenStates[n].scalars, ref.floats("hidden_states.\(n)"), width: h, rows: valid))
        }
        XCTAssertLessThanOrEqual(worst, 1e-4, "hidden states")
        let v = config.vocabSize
        let logits = out.logits!.scalars
        let first256 = (0..<33).flatMap { t in logits[(t * v)..<(t * v + 256)] }
        let dLogits = maxAbsDiff(Array(first256), ref.floats("mlm.logits_first256"), width: 256, rows: valid)
        XCTAssertLessThanOrEqual(dLogits, 1e-4 + 1e-5 * 103, "mlm logits")
        let argmax = try ref.tensors["mlm.logits_argmax"]!.int64Values()
        XCTAssertEqual(argmax.count, 33)
        var argmaxChecked = 0
        for t in 0..<33 where valid[t] {
            let row = logits[(t * v)..<((t + 1) * v)]
            XCTAssertEqual(Int64(row.indices.max { row[$0] < row[$1] }! - t * v), argmax[t], "argmax at token \(t)")
            argmaxChecked += 1
        }
        XCTAssertEqual(argmaxChecked, 11 + 8 + 5, "valid tokens of the 3 rows")
        XCTAssertEqual(out.loss!.item, ref.floats("mlm.loss")[0], accuracy: 1e-4)

        tensors = tensors.filter { !$0.key.hasPrefix("lm_predictions.") }
        let heads = try SafeTensors.read(from: weights.appendingPathComponent("heads.safetensors")).tensors
        for (k, t) in heads where k.hasPrefix("seqcls3.") { tensors[String(k.dropFirst(8))] = t }
        let (seq, _) = try DeBERTaModel.load(configuration: config, tensors: tensors, file: "model.safetensors", head: .sequenceClassification(numLabels: 3))
        let seqOut = try seq(try ref.input(), labels: .classes(try ref.index("seqcls3.labels")),
                             context: ForwardContext(mode: .gradientsWithoutDropout))
        let dSeq = maxAbsDiff(seqOut.logits!.scalars, ref.floats("seqcls3.logits"))
        XCTAssertLessThanOrEqual(dSeq, 1e-4)
        XCTAssertEqual(seqOut.loss!.item, ref.floats("seqcls3.loss")[0], accuracy: 1e-4)
        seqOut.loss!.backward()
        var worstGrad: Float = 0, checked = 0
        for (name, _) in ref.tensors where name.hasPrefix("grad.") {
            let p = try XCTUnwrap(seq.parameter(named: String(name.dropFirst(5))), name)
            worstGrad = max(worstGrad, maxAbsDiff(p.grad!.scalars, ref.floats(name)))
            checked += 1
        }
        XCTAssertLessThanOrEqual(worstGrad, 1e-5, "small gradients")
        XCTAssertEqual(checked, 127, "reference gradients (parameters of at most 4096 elements)")
        // Every gradient's L2 norm (names in tolerances.json).
        let tol = try JSONSerialization.jsonObject(with: Data(contentsOf: shared.appendingPathComponent("tolerances.json"))) as! [String: Any]
        let names = tol["gradnorm_names"] as! [String]
        let norms = ref.tensors["gradnorm.values"]!.floatValues()
        var worstNorm: Float = 0
        XCTAssertEqual(names.count, 202)
        XCTAssertEqual(norms.count, names.count)
        for (name, expected) in zip(names, norms) {
            let g = try XCTUnwrap(seq.parameter(named: name), name).grad!.scalars
            let norm = Float(g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
            worstNorm = max(worstNorm, abs(norm - expected) / max(expected, 1e-3))
        }
        XCTAssertLessThanOrEqual(worstNorm, 1e-3, "gradient norms (relative)")
        print("parity deberta-v3-small-shape: hidden max |Δ| \(worst), mlm logits max |Δ| \(dLogits), seqcls3 max |Δ| \(dSeq), \(checked) small gradients max |Δ| \(worstGrad), \(names.count) gradient norms max rel |Δ| \(worstNorm)")
    }
}

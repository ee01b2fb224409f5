import DeBERTaCheckpoint
import DeBERTaModeling
import Foundation
import DeBERTaTensors
import DeBERTaTestSupport
import XCTest

/// The Enhanced Mask Decoder against the float64 NumPy reference of Scripts/make_emd_reference.py
/// (MODEL.md §12 on the tiny fixtures of Tests/References with an added position table).
final class EnhancedMaskDecoderReferenceTests: XCTestCase {
    func model(_ name: String, reference r: [String: StoredTensor]) throws -> DeBERTaModel {
        let folder = try References.fixture(name)
        var tensors = try CheckpointFile.loadTensors(from: folder.appendingPathComponent("model.safetensors"))
        tensors["deberta.embeddings.position_embeddings.weight"] = r["\(name).position_table"]
        let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
        return try DeBERTaModel.load(configuration: config, tensors: tensors, file: name, head: .maskedLM).model
    }

    func index(_ t: StoredTensor?) throws -> IndexTensor {
        let t = try XCTUnwrap(t)
        return IndexTensor(try t.int64Values().map { Int32($0) }, shape: t.shape)
    }

    /// Largest difference over the rows of real tokens.
    func worst(_ got: Tensor, _ expected: StoredTensor?, valid: [Int32]) throws -> Double {
        let e = try XCTUnwrap(expected).floatValues()
        let width = got.count / valid.count
        XCTAssertEqual(got.count, e.count)
        var w = 0.0
        for i in 0..<got.count where valid[i / width] != 0 { w = max(w, abs(Double(got.data[i]) - Double(e[i]))) }
        return w
    }

    func testDecoderMatchesFloat64Reference() throws {
        let r = try SafeTensors.read(from: resources.appendingPathComponent("emd_reference.safetensors")).tensors
        for name in ["deberta-v3-tiny", "deberta-v1-tiny"] {
            let net = try model(name, reference: r)
            let ids = try index(r["\(name).input_ids"]), mask = try index(r["\(name).attention_mask"])
            for (suffix, positions) in [("", nil), ("_shifted", try index(r["\(name).positions"]))] as [(String, IndexTensor?)] {
                let out = try net.maskedLMWithDecoder(ModelInput(inputIds: ids, attentionMask: mask, positionIds: positions))
                let decoded = out.hiddenStates[out.hiddenStates.count - 1]
                let dDecoded = try worst(decoded, r["\(name).decoded\(suffix)"], valid: mask.values)
                let dLogits = try worst(try XCTUnwrap(out.logits), r["\(name).logits\(suffix)"], valid: mask.values)
                XCTAssertLessThan(dDecoded, 1e-5, "\(name)\(suffix) decoded states")
                // Logits: the fixtures' logit tolerance, 5e-5 + 1e-5 · max |x| (float32 noise grows with
                // the logits' scale; the decoded states above carry the 1e-5 check).
                let scale = try XCTUnwrap(r["\(name).logits\(suffix)"]).floatValues().map { abs(Double($0)) }.max() ?? 0
                XCTAssertLessThan(dLogits, 5e-5 + 1e-5 * scale, "\(name)\(suffix) logits")
                print("\(name)\(suffix): max |decoded − ref| \(dDecoded), max |logits − ref| \(dLogits)")
            }
        }
    }

    /// Logits at chosen positions (what pretraining uses) are the rows of the full logits.
    func testLogitsAtPositionsAreRowsOfFullLogits() throws {
        let r = try SafeTensors.read(from: resources.appendingPathComponent("emd_reference.safetensors")).tensors
        let net = try model("deberta-v3-tiny", reference: r)
        let input = ModelInput(inputIds: try index(r["deberta-v3-tiny.input_ids"]), attentionMask: try index(r["deberta-v3-tiny.attention_mask"]))
        let full = try XCTUnwrap(try net.maskedLMWithDecoder(input).logits)
        let positions = [0, 5, 12, 13, 24]
        let some = try net.maskedLMLogits(input, at: positions)
        let v = full.dim(-1)
        XCTAssertEqual(some.shape, [positions.count, v])
        for (k, p) in positions.enumerated() {
            for c in 0..<v { XCTAssertEqual(some.data[k * v + c], full.data[p * v + c], accuracy: 2e-5) }  // BLAS blocking differs with the row count
        }
        XCTAssertThrowsError(try net.maskedLMLogits(input, at: [33]))
    }
}

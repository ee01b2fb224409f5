import DeBERTa
import DeBERTaTestSupport
import Foundation
import XCTest

/// ``FillMask`` against transformers' masked-LM logits and the Enhanced Mask Decoder's logits.
final class FillMaskTests: XCTestCase {
    /// `deberta-v3-tiny` has no absolute position table, so fill-mask reads the plain MLM head, which
    /// transformers 5.24 computed for the fixture: the candidates are the top 5 of the softmax of
    /// its `mlm.logits` at the mask. The tokenizer names the fixture's id 124 `[MASK]`, so that the
    /// text below encodes to the fixture's first row.
    func testCandidatesAreTheTopOfTransformersMaskedLMSoftmax() throws {
        let reference = try TinyReference()
        let row = try reference.ids(row: 0)
        XCTAssertEqual(row.firstIndex(of: 124), 3)
        let tokenizer = try fixtureTokenizer(maskId: 124)
        let text = fixtureText(row, maskId: 124)
        XCTAssertEqual(text, "t41 t116 [MASK] t22 t20 t110 t59 t54 t92")
        XCTAssertEqual(try tokenizer.encode(text, pair: nil, splitSpecialTokens: true).inputIds, row)

        let (model, _) = try DeBERTaModel.load(from: References.fixture("deberta-v3-tiny"))
        let filler = try FillMask(model: model, tokenizer: tokenizer)
        XCTAssertFalse(filler.usesDecoder)
        let results = try filler.predict(text, topK: 5)
        XCTAssertEqual(results.count, 1)

        let vocabulary = 128
        let logits = try reference.floats("mlm.logits")
        let position = 3
        let expected = handSoftmax(logits[position * vocabulary ..< (position + 1) * vocabulary].map(Double.init))
        let best = expected.indices.sorted { expected[$0] > expected[$1] }.prefix(5)
        XCTAssertEqual(results[0].map(\.id), Array(best))
        for candidate in results[0] {
            XCTAssertEqual(candidate.probability, expected[candidate.id], accuracy: 1e-5, "id \(candidate.id)")
            XCTAssertEqual(candidate.token, tokenizer.token(for: candidate.id))
            if candidate.id > 3 {
                XCTAssertEqual(candidate.text, "t\(candidate.id)")
                XCTAssertEqual(candidate.sequence, text.replacingOccurrences(of: "[MASK]", with: "t\(candidate.id)"))
            }
        }
        XCTAssertEqual(try filler.predict(ids: row, topK: 5), results)
    }

    /// With an absolute position table the predictions go through the Enhanced Mask Decoder: on
    /// `deberta-v3-tiny` plus the position table of the float64 NumPy decoder reference
    /// (Scripts/make_emd_reference.py, kept with the pretraining tests), the candidates are the top of
    /// the softmax of that reference's logits at the mask.
    func testCandidatesThroughTheEnhancedMaskDecoderMatchTheFloat64Reference() throws {
        let folder = try References.fixture("deberta-v3-tiny")
        let resource = try References.packageFile("Tests/PretrainingTests/Resources/emd_reference.safetensors")
        let r = try SafeTensors.read(from: resource).tensors
        var tensors = try CheckpointFile.loadTensors(from: folder.appendingPathComponent("model.safetensors"))
        tensors["deberta.embeddings.position_embeddings.weight"] = try XCTUnwrap(r["deberta-v3-tiny.position_table"])
        let configuration = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
        let model = try DeBERTaModel.load(configuration: configuration, tensors: tensors, file: "deberta-v3-tiny", head: .maskedLM).model

        let row = try XCTUnwrap(r["deberta-v3-tiny.input_ids"]).int64Values().prefix(11).map { Int($0) }
        XCTAssertEqual(row, try TinyReference().ids(row: 0), "the decoder reference starts from the fixture's first row")
        let tokenizer = try fixtureTokenizer(maskId: 124)
        let filler = try FillMask(model: model, tokenizer: tokenizer)
        XCTAssertTrue(filler.usesDecoder)
        let results = try filler.predict(fixtureText(row, maskId: 124), topK: 4)
        XCTAssertEqual(results.count, 1)

        let logits = try XCTUnwrap(r["deberta-v3-tiny.logits"])
        XCTAssertEqual(logits.shape, [3, 11, 128])
        let position = 3
        let expected: [Double] = logits.withUnsafeRawBytes { raw in
            handSoftmax((position * 128 ..< (position + 1) * 128).map {
                Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)))
            })
        }
        XCTAssertEqual(results[0].map(\.id), Array(expected.indices.sorted { expected[$0] > expected[$1] }.prefix(4)))
        for c in results[0] { XCTAssertEqual(c.probability, expected[c.id], accuracy: 1e-5, "id \(c.id)") }

        let plain = try FillMask(model: try DeBERTaModel.load(from: folder).model, tokenizer: tokenizer)
        XCTAssertNotEqual(try plain.predict(ids: row, topK: 4)[0].map(\.probability), results[0].map(\.probability),
                          "the decoder changes the predictions")
    }

    /// Several masks: each gets the softmax of its own row of the model's logits, in text order.
    func testEachMaskGetsTheSoftmaxOfItsOwnRow() throws {
        let (model, _) = try DeBERTaModel.load(from: References.fixture("deberta-v1-absolute"))
        let tokenizer = try fixtureTokenizer(maskId: 127)
        let filler = try FillMask(model: model, tokenizer: tokenizer)
        let results = try filler.predict("t5 [MASK] t9 [MASK] t12", topK: 3)
        let ids = [1, 5, 127, 9, 127, 12, 2]
        let all = try XCTUnwrap(try model(ModelInput(inputIds: IndexTensor(ids, shape: [1, ids.count]))).logits)
        XCTAssertEqual(all.shape, [1, 7, 128])
        XCTAssertEqual(results.count, 2)
        for (k, position) in [2, 4].enumerated() {
            let expected = handSoftmax(Array(all.scalars[position * 128 ..< (position + 1) * 128]).map(Double.init))
            XCTAssertEqual(results[k].map(\.id), Array(expected.indices.sorted { expected[$0] > expected[$1] }.prefix(3)), "mask \(k)")
            for c in results[k] { XCTAssertEqual(c.probability, expected[c.id], accuracy: 1e-6) }
        }
        XCTAssertNotEqual(results[0].map(\.probability), results[1].map(\.probability), "the two masks see different positions")
    }

    func testModelsThatCannotFillMasksAndTextsWithoutMasksAreRejected() throws {
        let discriminator = try References.packageFile("Examples/deberta-v3-h256-rtd")
        XCTAssertThrowsError(try FillMask(folder: discriminator)) { error in
            XCTAssertTrue("\(error)".hasPrefix(discriminator.path + ": this is an RTD discriminator"), "\(error)")
            XCTAssertTrue("\(error)".contains("generator"), "\(error)")
        }
        let (classifier, _) = try DeBERTaModel.load(from: References.packageFile("Examples/deberta-v3-tiny"))
        XCTAssertThrowsError(try FillMask(model: classifier, tokenizer: try fixtureTokenizer(maskId: 127), folder: "tiny")) { error in
            XCTAssertTrue("\(error)".hasPrefix("tiny: the model has no masked-LM head"), "\(error)")
        }
        let (model, _) = try DeBERTaModel.load(from: References.fixture("deberta-v3-tiny"))
        let filler = try FillMask(model: model, tokenizer: try fixtureTokenizer(maskId: 127))
        XCTAssertThrowsError(try filler.predict("t5 t6")) { error in
            XCTAssertEqual(error as? InferenceError, .invalidInput("the text has no [MASK] token to fill"))
        }
    }
}

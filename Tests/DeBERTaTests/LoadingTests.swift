import DeBERTaCheckpoint
import Foundation
import DeBERTaTensors
import XCTest
@testable import DeBERTaModeling

final class LoadingTests: XCTestCase {
    /// Microsoft's own package (0.1.12) layout: model_config.json + pytorch.model.bin with split
    /// query/key/value names and no `deberta.` prefix. Same numbers as the Hugging Face folder.
    func testOriginalReleaseFolderMatchesOriginalPackageAndHF() throws {
        let folder = try fixtureFolder("deberta-v1-tiny")
        let original = folder.appendingPathComponent("original")
        let ref = try Reference(original.appendingPathComponent("reference.safetensors"))
        let (model, report) = try DeBERTaModel.load(from: original)
        XCTAssertEqual(model.head, HeadKind.encoderOnly)
        XCTAssertFalse(model.fusedAttention)
        XCTAssertTrue(report.unexpected.isEmpty, "unexpected: \(report.unexpected)")
        let valid = try ref.validTokens()
        let out = try model(try ref.input())
        for n in 1...2 {
            XCTAssertLessThanOrEqual(maxAbsDiff(out.hiddenStates[n].scalars, ref.floats("orig.hidden_states.\(n)"), width: 32, rows: valid), 1e-5)
        }
        // The Hugging Face folder (fused in_proj) gives the same valid-position states.
        let hfRef = try Reference(folder.appendingPathComponent("reference.safetensors"))
        let (hf, _) = try DeBERTaModel.load(from: folder, head: HeadKind.encoderOnly)
        XCTAssertTrue(hf.fusedAttention)
        let hfOut = try hf(try hfRef.input())
        XCTAssertLessThanOrEqual(maxAbsDiff(hfOut.lastHiddenState.scalars, out.lastHiddenState.scalars, width: 32, rows: valid), 2e-6)

        // Sequence classification with the original package's own head numbers.
        var tensors = try CheckpointFile.loadTensors(from: original.appendingPathComponent("pytorch.model.bin"))
        let heads = try SafeTensors.read(from: folder.appendingPathComponent("heads.safetensors")).tensors
        for (k, v) in heads where k.hasPrefix("seqcls3.") { tensors[String(k.dropFirst(8))] = v }
        let config = try DeBERTaConfiguration.load(from: original.appendingPathComponent("model_config.json"))
        let (seq, _) = try DeBERTaModel.load(configuration: config, tensors: tensors, file: "original", head: .sequenceClassification(numLabels: 3))
        let seqOut = try seq(try ref.input(), labels: .classes(try hfRef.index("seqcls3.labels")))
        XCTAssertLessThanOrEqual(maxAbsDiff(seqOut.logits!.scalars, ref.floats("orig.seqcls3.logits")), 5e-5)
        XCTAssertEqual(seqOut.loss!.item, ref.floats("orig.seqcls3.loss")[0], accuracy: 1e-5)
    }

    func testHeadIsInferredFromTensorsWithoutArchitectures() throws {
        let folder = try fixtureFolder("deberta-v3-tiny")
        let (model, report) = try DeBERTaModel.load(from: folder)
        XCTAssertEqual(model.head, .maskedLM)
        XCTAssertTrue(report.unexpected.isEmpty)
        let tensors = try fixtureTensors(folder, headPrefix: "tokcls")
        let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
        XCTAssertEqual(DeBERTaModel.inferHead(configuration: config, tensors: tensors), .tokenClassification(numLabels: 5))
    }

    func testCheckpointNameNormalisation() {
        let t = StoredTensor(float32: [0], shape: [1])
        let names = DeBERTaModel.normalizeCheckpointNames([
            "bert.embeddings.word_embeddings.weight": t, "encoder.layer.0.output.dense.bias": t,
            "deberta.embeddings.position_ids": t, "deberta.embeddings.word_embeddings._weight": t,
            "cls.predictions.transform.dense.weight": t, "cls.predictions.bias": t, "cls.predictions.decoder.weight": t,
        ]).keys.sorted()
        XCTAssertEqual(names, ["deberta.embeddings.word_embeddings.weight", "deberta.encoder.layer.0.output.dense.bias",
                               "lm_predictions.lm_head.bias", "lm_predictions.lm_head.dense.weight"])
    }

    func testMissingTensorIsANamedError() throws {
        let folder = try fixtureFolder("deberta-v3-tiny")
        var tensors = try fixtureTensors(folder)
        tensors["deberta.encoder.layer.1.attention.self.key_proj.weight"] = nil
        let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try DeBERTaModel.load(configuration: config, tensors: tensors, file: "model.safetensors")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("missing tensors: deberta.encoder.layer.1.attention.self.key_proj.weight"), message)
            XCTAssertTrue(message.hasPrefix("model.safetensors"), message)
        }
    }

    func testWrongShapeIsANamedError() throws {
        let folder = try fixtureFolder("deberta-v3-tiny")
        var tensors = try fixtureTensors(folder)
        tensors["deberta.encoder.rel_embeddings.weight"] = StoredTensor(float32: [Float](repeating: 0, count: 31 * 32), shape: [31, 32])
        let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try DeBERTaModel.load(configuration: config, tensors: tensors, file: "w")) { error in
            XCTAssertTrue("\(error)".contains("wrong shapes: deberta.encoder.rel_embeddings.weight (checkpoint [31, 32], model [32, 32])"), "\(error)")
        }
    }

    func testMissingFolderAndFilesAreNamedErrors() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("deberta-empty-\(getpid())")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        XCTAssertThrowsError(try DeBERTaModel.load(from: tmp)) { XCTAssertTrue("\($0)".contains("no config.json or model_config.json"), "\($0)") }
        try Data("{\"hidden_size\": 32}".utf8).write(to: tmp.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try DeBERTaModel.load(from: tmp)) { XCTAssertTrue("\($0)".contains("no weights"), "\($0)") }
        XCTAssertThrowsError(try DeBERTaModel.load(from: tmp.appendingPathComponent("nope"))) { XCTAssertTrue("\($0)".contains("no such model folder"), "\($0)") }
    }
}

final class ConfigurationTests: XCTestCase {
    func decode(_ json: String) throws -> DeBERTaConfiguration {
        let c = try JSONDecoder().decode(DeBERTaConfiguration.self, from: Data(json.utf8))
        try c.validate()
        return c
    }

    func testPosAttTypeAsListOrPipeString() throws {
        XCTAssertEqual(try decode(#"{"pos_att_type": "p2c|c2p"}"#).posAttType, ["p2c", "c2p"])
        XCTAssertEqual(try decode(#"{"pos_att_type": ["C2P", " p2c "]}"#).posAttType, ["c2p", "p2c"])
        XCTAssertEqual(try decode(#"{"pos_att_type": null}"#).posAttType, [])
    }

    func testUnknownPosAttTypeIsRejected() {
        XCTAssertThrowsError(try decode(#"{"pos_att_type": "c2p|p2x"}"#)) { error in
            XCTAssertTrue("\(error)".contains("unknown pos_att_type 'p2x'"), "\(error)")
        }
    }

    func testDefaultsAndDerivedValues() throws {
        let v1 = try decode(#"{"model_type": "deberta", "hidden_size": 768, "num_attention_heads": 12, "relative_attention": true, "pos_att_type": "c2p|p2c", "max_relative_positions": -1}"#)
        XCTAssertEqual(v1.vocabSize, 50265)
        XCTAssertEqual(v1.relativeSpan, 512)
        XCTAssertEqual(v1.scaleFactor, 3)
        XCTAssertTrue(v1.positionBiasedInput)
        let v3 = try decode(#"{"model_type": "deberta-v2", "hidden_size": 768, "num_attention_heads": 12, "position_buckets": 256, "norm_rel_ebd": "layer_norm", "relative_attention": true}"#)
        XCTAssertEqual(v3.relativeSpan, 256)
        XCTAssertTrue(v3.normalizesRelativeEmbeddings)
        XCTAssertEqual(v3.layerNormEps, 1e-7)
        // The original GLUE configs nest the pooler settings; `padding_idx` names the pad id.
        let original = try decode(#"{"hidden_size": 32, "num_attention_heads": 4, "padding_idx": 5, "pooling": {"dropout": 0, "hidden_act": "tanh"}}"#)
        XCTAssertEqual(original.padTokenId, 5)
        XCTAssertEqual(original.poolerHiddenAct, "tanh")
    }

    func testInconsistentSizesAreRejected() {
        XCTAssertThrowsError(try decode(#"{"hidden_size": 30, "num_attention_heads": 4}"#)) { XCTAssertTrue("\($0)".contains("must equal hidden_size"), "\($0)") }
        XCTAssertThrowsError(try decode(#"{"hidden_act": "gelu_magic"}"#)) { XCTAssertTrue("\($0)".contains("unknown activation"), "\($0)") }
    }

    func testPresetsMatchPublishedParameterCounts() throws {
        // MODEL.md §3: backbone parameters (no heads, no absolute position table).
        for (name, expected) in [("v3-xsmall", 70_682_112), ("v3-base", 183_831_552), ("v1-base", 138_601_728)] {
            var c = try ModelPresets.configuration(name)
            c.numHiddenLayers = 1  // count one layer and scale: avoids allocating the whole model
            let one = try DeBERTaModel(configuration: c, head: .encoderOnly, builder: .zeros(), keepPositionTable: false)
            c.numHiddenLayers = 0
            let none = try DeBERTaModel(configuration: c, head: .encoderOnly, builder: .zeros(), keepPositionTable: false)
            let layers = try ModelPresets.configuration(name).numHiddenLayers
            XCTAssertEqual(none.parameterCount + layers * (one.parameterCount - none.parameterCount), expected, name)
        }
    }
}

final class InputValidationTests: XCTestCase {
    func testBadInputsAndLabelsAreErrorsNotCrashes() throws {
        var c = DeBERTaConfiguration(modelType: "deberta-v2")
        c.vocabSize = 16; c.hiddenSize = 8; c.numHiddenLayers = 1; c.numAttentionHeads = 2; c.intermediateSize = 8
        let model = try DeBERTaModel(configuration: c, head: .sequenceClassification(numLabels: 3), builder: .zeros())
        let ids = IndexTensor([1, 2, 3, 4], shape: [2, 2])
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message { _ = try model(ModelInput(inputIds: ids), labels: .classes(IndexTensor([0, 3], shape: [2]))) }.contains("label 3 outside [0, 3)"))
        XCTAssertTrue(message { _ = try model(ModelInput(inputIds: ids), labels: .classes(IndexTensor([0], shape: [1]))) }.contains("labels of shape [1] for a batch of 2 sequences"))
        XCTAssertTrue(message { _ = try model(ModelInput(inputIds: IndexTensor([1, 99], shape: [1, 2]))) }.contains("token id 99 outside the vocabulary"))
        XCTAssertTrue(message { _ = try model(ModelInput(inputIds: ids, attentionMask: IndexTensor([1, 1, 1], shape: [1, 3]))) }.contains("attention_mask [1, 3] does not match"))
        XCTAssertTrue(message { _ = try model(ModelInput(inputIds: IndexTensor([1, 2], shape: [2]))) }.contains("input_ids must be [batch, length]"))
        // Ignored labels (−100) are fine.
        XCTAssertNoThrow(try model(ModelInput(inputIds: ids), labels: .classes(IndexTensor([-100, 2], shape: [2]))))
    }
}

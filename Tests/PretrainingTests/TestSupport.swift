import DeBERTaCheckpoint
import DeBERTaModeling
import DeBERTaTestSupport
import Foundation
import DeBERTaTensors
import DeBERTaTokenizers
import XCTest
@testable import DeBERTaPretraining

/// This test target's committed references (made by Scripts/make_*_reference*.py).
let resources = References.packageRoot.appendingPathComponent("Tests/PretrainingTests/Resources")

/// The v3-style SentencePiece tokenizer folder of the reference data (8000 pieces + `[MASK]`).
func v3Tokenizer() throws -> Tokenizer {
    let folder = try References.url("data/tokenizers/deberta-v3-style")
    _ = try References.url("data/tokenizers/deberta-v3-style/spm.model")
    return try Tokenizer.load(directory: folder)
}

/// A tiny v3-shaped configuration (hidden 32, 4 heads, buckets 16) over the 8001-id vocabulary.
func tinyConfiguration(layers: Int, vocabSize: Int = 8001, dropout: Float = 0.1) -> DeBERTaConfiguration {
    var c = DeBERTaConfiguration(modelType: "deberta-v2")
    c.vocabSize = vocabSize
    c.hiddenSize = 32
    c.numHiddenLayers = layers
    c.numAttentionHeads = 4
    c.intermediateSize = 64
    c.maxPositionEmbeddings = 64
    c.relativeAttention = true
    c.positionBuckets = 16
    c.maxRelativePositions = -1
    c.posAttType = ["p2c", "c2p"]
    c.shareAttKey = true
    c.normRelEbd = "layer_norm"
    c.positionBiasedInput = false
    c.hiddenDropoutProb = dropout
    c.attentionProbsDropoutProb = dropout
    return c
}

/// A temporary folder removed at the end of the test.
func temporaryFolder(_ test: XCTestCase) throws -> URL { try test.makeTemporaryDirectory(prefix: "pretraining-tests") }

/// The JSON object of a resource file.
func jsonResource(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: resources.appendingPathComponent(name))
    return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
}

import DeBERTaCheckpoint
import DeBERTaTestSupport
import Foundation
import DeBERTaTensors
import XCTest
@testable import DeBERTaModeling

let tinyFixtureNames = ["deberta-v1-tiny", "deberta-v2-tiny", "deberta-v3-tiny", "deberta-v1-absolute",
                        "deberta-v1-c2p", "deberta-v2-tiny-noshare"]

/// The fixture folder `Tests/References/fixtures/<name>`; throws (the test fails) when it is absent.
func fixtureFolder(_ name: String) throws -> URL { try References.fixture(name) }

/// A fixture's reference tensors and inputs.
struct Reference {
    let tensors: [String: StoredTensor]

    init(_ url: URL) throws { tensors = try SafeTensors.read(from: url).tensors }

    func floats(_ name: String) -> [Float] { tensors[name]!.floatValues() }
    func shape(_ name: String) -> [Int] { tensors[name]!.shape }
    func index(_ name: String) throws -> IndexTensor {
        let t = tensors[name]!
        return IndexTensor(try t.int64Values().map { Int32($0) }, shape: t.shape)
    }

    func input() throws -> ModelInput {
        ModelInput(inputIds: try index("input_ids"), attentionMask: try index("attention_mask"),
                   tokenTypeIds: tensors["token_type_ids"] != nil ? try index("token_type_ids") : nil)
    }

    /// Whether token `t` (flat over [B, N]) is a real token.
    func validTokens() throws -> [Bool] { try index("attention_mask").values.map { $0 != 0 } }
}

/// Largest |a − b| over the rows (of `width` values) that `rows` selects (all when nil).
func maxAbsDiff(_ a: [Float], _ b: [Float], width: Int = 1, rows: [Bool]? = nil) -> Float {
    precondition(a.count == b.count, "size mismatch \(a.count) vs \(b.count)")
    var worst: Float = 0
    for i in 0..<a.count {
        if let rows, !rows[i / width] { continue }
        let d = abs(a[i] - b[i])
        if d.isNaN { return .infinity }
        worst = max(worst, d)
    }
    return worst
}

/// The checkpoint tensors of the fixture's backbone + MLM head, plus the head tensors with `prefix`.
func fixtureTensors(_ folder: URL, weights: String = "model.safetensors", headPrefix: String? = nil) throws -> [String: StoredTensor] {
    var tensors = try CheckpointFile.loadTensors(from: folder.appendingPathComponent(weights))
    if let headPrefix {
        tensors = tensors.filter { !$0.key.hasPrefix("lm_predictions.") }
        let heads = try SafeTensors.read(from: folder.appendingPathComponent("heads.safetensors")).tensors
        for (k, v) in heads where k.hasPrefix(headPrefix + ".") { tensors[String(k.dropFirst(headPrefix.count + 1))] = v }
    }
    return tensors
}

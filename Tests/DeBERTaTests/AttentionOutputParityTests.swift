import DeBERTaCheckpoint
import DeBERTaTestSupport
import Foundation
import DeBERTaTensors
import XCTest
@testable import DeBERTaModeling

/// The seed's library API against transformers 5.24 on every tiny fixture
/// (`Tests/References/attention/<fixture>.safetensors`, made by `Scripts/make_attention_references.py`,
/// SOURCES.md there): attention probabilities (`outputAttentions`), a `[B, N, N]` pair mask, and
/// explicit `position_ids`. Every position is compared, padded ones included (transformers ≥ 4.47
/// gives a padded query uniform probabilities, as this package does). Tolerance 1e-5 absolute, as
/// the hidden states of ``FixtureParityTests``; the references' own float32-vs-float64 deviation is
/// at most 1.6e-6.
final class AttentionOutputParityTests: XCTestCase {
    /// The fixture's encoder (its MLM head tensors are left unused) and its attention references.
    func load(_ name: String) throws -> (DeBERTaModel, Reference, DeBERTaConfiguration) {
        let folder = try fixtureFolder(name)
        let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
        let (model, _) = try DeBERTaModel.load(configuration: config, tensors: try fixtureTensors(folder),
                                               file: "model.safetensors", head: .encoderOnly)
        let ref = try Reference(try References.url("attention/\(name).safetensors"))
        return (model, ref, config)
    }

    /// Largest |a − b| over all values; fails on a size mismatch.
    func worst(_ a: Tensor, _ b: [Float], _ what: String) -> Float {
        XCTAssertEqual(a.count, b.count, what)
        return a.count == b.count ? maxAbsDiff(a.scalars, b) : .infinity
    }

    /// The modes a pass can run in: the fused inference kernel where nothing asks for probabilities,
    /// the unfused ops otherwise, and the ops that record gradients.
    let contexts: [(String, () -> ForwardContext)] = [
        ("inference", { ForwardContext() }),
        ("gradients", { ForwardContext(mode: .gradientsWithoutDropout) }),
    ]

    func testAttentionProbabilitiesMatchTransformers() throws {
        var compared = 0, largest: Float = 0
        for name in tinyFixtureNames {
            let (model, ref, config) = try load(name)
            let input = try ref.input()
            let fused = try model(input)
            XCTAssertNil(fused.attentions, "attentions only on request")
            for (mode, context) in contexts {
                let out = try model(input, outputAttentions: true, context: context())
                let attentions = try XCTUnwrap(out.attentions, "\(name) \(mode)")
                XCTAssertEqual(attentions.count, config.numHiddenLayers)
                for (l, a) in attentions.enumerated() {
                    XCTAssertEqual(a.shape, ref.shape("attentions.\(l)"), "\(name) attentions.\(l)")
                    let d = worst(a, ref.floats("attentions.\(l)"), "\(name) attentions.\(l)")
                    XCTAssertLessThanOrEqual(d, 1e-5, "\(name) \(mode) attentions.\(l)")
                    largest = max(largest, d)
                }
                // Asking for the probabilities changes nothing else.
                let d = maxAbsDiff(out.lastHiddenState.scalars, fused.lastHiddenState.scalars)
                XCTAssertLessThanOrEqual(d, 1e-5, "\(name) \(mode): hidden states with and without attentions")
                compared += 1
            }
        }
        XCTAssertEqual(compared, 6 * 2)
        print("attentions vs transformers: max |Δ| \(largest)")
    }

    func testPairMaskMatchesTransformers() throws {
        var compared = 0, largest: Float = 0
        for name in tinyFixtureNames {
            let (model, ref, config) = try load(name)
            var input = try ref.input()
            input.attentionMask = try ref.index("mask3d")
            XCTAssertEqual(input.attentionMask!.shape, [3, 11, 11])
            for (mode, context) in contexts {
                for withAttentions in [false, true] {
                    let out = try model(input, outputAttentions: withAttentions, context: context())
                    for (n, h) in out.hiddenStates.enumerated() {
                        let d = worst(h, ref.floats("mask3d.hidden_states.\(n)"), "\(name) hidden_states.\(n)")
                        XCTAssertLessThanOrEqual(d, 1e-5, "\(name) \(mode) attentions \(withAttentions): mask3d.hidden_states.\(n)")
                        largest = max(largest, d)
                    }
                    if withAttentions {
                        let attentions = try XCTUnwrap(out.attentions)
                        XCTAssertEqual(attentions.count, config.numHiddenLayers)
                        for (l, a) in attentions.enumerated() {
                            let d = worst(a, ref.floats("mask3d.attentions.\(l)"), "\(name) mask3d.attentions.\(l)")
                            XCTAssertLessThanOrEqual(d, 1e-5, "\(name) \(mode): mask3d.attentions.\(l)")
                            largest = max(largest, d)
                        }
                    }
                    compared += 1
                }
            }
        }
        XCTAssertEqual(compared, 6 * 2 * 2)
        print("[B, N, N] mask vs transformers: max |Δ| \(largest) (hidden states and attentions)")
    }

    /// The reference's pair mask is not a token mask in disguise: the block, causal and random rows
    /// change the outputs, and query 2 of the last row, which attends to nothing, is uniform.
    func testPairMaskReferenceIsDiscriminating() throws {
        let (model, ref, config) = try load("deberta-v3-tiny")
        var input = try ref.input()
        let plain = try model(input).lastHiddenState.scalars
        input.attentionMask = try ref.index("mask3d")
        let paired = try model(input, outputAttentions: true)
        XCTAssertGreaterThan(maxAbsDiff(plain, paired.lastHiddenState.scalars), 0.1)
        let n = 11, heads = config.numAttentionHeads
        let probs = paired.attentions![0].scalars
        for h in 0..<heads {
            let row = ((2 * heads + h) * n + 2) * n
            for j in 0..<n { XCTAssertEqual(probs[row + j], 1 / Float(n), accuracy: 1e-7, "uniform row, head \(h)") }
        }
    }

    /// A `[B, N]` mask and its outer product as a `[B, N, N]` mask are the same attention.
    func testOuterProductPairMaskEqualsTokenMask() throws {
        for name in ["deberta-v1-tiny", "deberta-v2-tiny"] {
            let (model, ref, _) = try load(name)
            var input = try ref.input()
            let tokens = input.attentionMask!
            let b = tokens.shape[0], n = tokens.shape[1]
            let outer = (0..<(b * n * n)).map { e -> Int32 in
                let row = e / (n * n), i = (e / n) % n, j = e % n
                return tokens.values[row * n + i] * tokens.values[row * n + j]
            }
            let expected = try model(input, outputAttentions: true)
            input.attentionMask = IndexTensor(outer, shape: [b, n, n])
            let paired = try model(input, outputAttentions: true)
            XCTAssertEqual(paired.lastHiddenState.scalars, expected.lastHiddenState.scalars, name)
            XCTAssertEqual(paired.attentions!.map(\.scalars), expected.attentions!.map(\.scalars), name)
        }
    }

    func testPositionIdsMatchTransformers() throws {
        var largest: Float = 0
        for name in tinyFixtureNames {
            let (model, ref, config) = try load(name)
            var input = try ref.input()
            input.positionIds = try ref.index("position_ids")
            let out = try model(input)
            for (n, h) in out.hiddenStates.enumerated() {
                let d = worst(h, ref.floats("position_ids.hidden_states.\(n)"), "\(name) hidden_states.\(n)")
                XCTAssertLessThanOrEqual(d, 1e-5, "\(name): position_ids.hidden_states.\(n)")
                largest = max(largest, d)
            }
            // Only a model with absolute positions in its input (position_biased_input) reads them.
            let plain = try model(try ref.input()).lastHiddenState.scalars
            let change = maxAbsDiff(plain, out.lastHiddenState.scalars)
            if config.positionBiasedInput {
                XCTAssertGreaterThan(change, 0.01, "\(name): position_ids must change the output")
            } else {
                XCTAssertEqual(change, 0, "\(name): relative-only models ignore position_ids")
            }
        }
        print("position_ids vs transformers: max |Δ| \(largest)")
    }

    func testBadMaskShapesAreErrors() throws {
        let (model, ref, _) = try load("deberta-v2-tiny")
        var input = try ref.input()
        input.attentionMask = IndexTensor([Int32](repeating: 1, count: 3 * 11 * 10), shape: [3, 11, 10])
        XCTAssertThrowsError(try model(input)) { error in
            XCTAssertTrue("\(error)".contains("attention_mask [3, 11, 10] does not match input_ids [3, 11]: it must be [3, 11] (tokens) or [3, 11, 11] (pairs)"), "\(error)")
        }
    }

    /// Multiple choice takes `[B, C, N, N]` pair masks, flattened to `[B·C, N, N]` like the inputs.
    func testMultipleChoicePairMask() throws {
        let folder = try fixtureFolder("deberta-v3-tiny")
        let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
        let model = try DeBERTaModel(configuration: config, head: .multipleChoice, seed: 3)
        let ref = try Reference(try References.url("attention/deberta-v3-tiny.safetensors"))
        let ids = try ref.index("input_ids"), pairs = try ref.index("mask3d")
        // Two questions of three choices: the reference's three rows, twice.
        let input = ModelInput(inputIds: IndexTensor(ids.values + ids.values, shape: [2, 3, 11]),
                               attentionMask: IndexTensor(pairs.values + pairs.values, shape: [2, 3, 11, 11]))
        let out = try model(input, outputAttentions: true)
        XCTAssertEqual(out.logits!.shape, [2, 3])
        XCTAssertEqual(out.attentions!.first!.shape, [6, config.numAttentionHeads, 11, 11])
        let logits = out.logits!.scalars
        XCTAssertLessThanOrEqual(maxAbsDiff(Array(logits[0..<3]), Array(logits[3..<6])), 1e-6)
        let flat = try model.encode(ModelInput(inputIds: ids, attentionMask: pairs))
        XCTAssertLessThanOrEqual(maxAbsDiff(Array(out.lastHiddenState.scalars[0..<(3 * 11 * config.hiddenSize)]), flat.last!.scalars), 1e-6)
    }
}

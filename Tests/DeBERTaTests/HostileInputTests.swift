import DeBERTaTestSupport
import Foundation
import DeBERTaTensors
import XCTest
@testable import DeBERTaModeling

/// A configuration file that asks for impossible sizes is an error naming the field, decided before
/// any tensor is made (issue 19: negative sizes ended in "Bad pointer dereference" or a negative
/// count trap, a 10¹² type_vocab_size in the allocator's fatal out-of-memory stop).
final class ConfigurationLimitsTests: XCTestCase {
    /// The v3-tiny example's config.json with `changes` applied (nil removes a key), loaded from a file.
    func load(_ changes: [String: Any?]) throws -> DeBERTaConfiguration {
        let example = References.packageRoot.appendingPathComponent("Examples/deberta-v3-tiny/config.json")
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: example)) as! [String: Any]
        for (key, value) in changes { object[key] = value }
        let url = try makeTemporaryDirectory().appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        return try DeBERTaConfiguration.load(from: url)
    }

    func assertRefused(_ changes: [String: Any?], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(changes), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("config.json: ") && text.contains(fragment), "'\(text)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    func testTheExampleConfigurationIsAccepted() throws {
        XCTAssertEqual(try load([:]).hiddenSize, 32)
    }

    func testNegativeSizesNameTheirField() {
        assertRefused(["embedding_size": -1], "embedding_size -1 must be at least 1")
        assertRefused(["pooler_hidden_size": -1], "pooler_hidden_size -1 must be at least 1")
        assertRefused(["type_vocab_size": -1], "type_vocab_size -1 must be at least 0")
        assertRefused(["num_hidden_layers": -1], "num_hidden_layers -1 must be at least 0")
        assertRefused(["intermediate_size": -5], "intermediate_size -5 must be at least 1")
        assertRefused(["attention_head_size": -8], "attention_head_size -8 must be at least 1")
        assertRefused(["max_position_embeddings": -1], "max_position_embeddings -1 must be at least 0")
        assertRefused(["max_position_embeddings": 0, "position_biased_input": true], "max_position_embeddings 0 must be at least 1 when position_biased_input is true")
        assertRefused(["num_labels": -2, "id2label": nil, "label2id": nil], "num_labels -2 must be at least 0")
        assertRefused(["conv_kernel_size": 3, "conv_groups": -1], "conv_groups -1 must be at least 1 when conv_kernel_size > 0")
        assertRefused(["conv_kernel_size": -3], "conv_kernel_size -3 must be at least 0")
    }

    func testSizesBeyondThirtyTwoBitIdsAreRefused() {
        assertRefused(["type_vocab_size": 1_000_000_000_000], "type_vocab_size 1000000000000 exceeds 2147483647 (token type ids are 32-bit)")
        assertRefused(["vocab_size": 1 << 40], "vocab_size 1099511627776 exceeds 2147483647 (token ids are 32-bit)")
        assertRefused(["max_position_embeddings": 1 << 33], "max_position_embeddings 8589934592 exceeds 2147483647")
        assertRefused(["position_buckets": 1 << 62], "position_buckets 4611686018427387904 exceeds 1073741824 (relative indices are 32-bit)")
        assertRefused(["pad_token_id": 1_000_000_000_000], "pad_token_id 1000000000000 is not a row of the 128-row word embedding table")
    }

    func testSizesThatDisagreeAreRefused() {
        assertRefused(["num_attention_heads": 5], "hidden_size 32 is not a multiple of num_attention_heads 5")
        assertRefused(["attention_head_size": 1 << 62], "num_attention_heads × attention_head_size (4 × 4611686018427387904) must equal hidden_size 32")
        // make_log_bucket_position would divide by zero (buckets / 2) or by log(1) = 0.
        assertRefused(["position_buckets": 1], "position_buckets 1 must be at least 2")
        assertRefused(["position_buckets": 16, "max_relative_positions": 9], "log-bucketing divides by log((9 − 1) / 8), which is 0")
        assertRefused(["hidden_dropout_prob": 1.5], "hidden_dropout_prob 1.5 must be in [0, 1)")
        assertRefused(["attention_probs_dropout_prob": 1], "attention_probs_dropout_prob 1.0 must be in [0, 1)")
        assertRefused(["layer_norm_eps": -1], "layer_norm_eps -1.0 must be a finite value ≥ 0")
    }

    /// Sizes that are each fine but whose parameters exceed the machine's memory: refused from the
    /// estimate, naming the largest term, before the allocator is asked.
    func testParametersBeyondMemoryAreRefusedFromTheConfiguration() {
        assertRefused(["type_vocab_size": 2_000_000_000], "the largest part is type_vocab_size × embedding_size (token type embeddings) = 2000000000 × 32 values")
        assertRefused(["num_hidden_layers": 100_000_000], "the largest part is num_hidden_layers × the parameters of one layer = 100000000 × ")
        assertRefused(["num_hidden_layers": 1 << 60], "overflows a 64-bit integer")
    }

    func testMemoryCheckUsesTheGivenBudgetAndTheHead() throws {
        let c = try load([:])
        let encoder = try c.parameterCount().count
        XCTAssertNoThrow(try c.checkParameterMemory(availableBytes: UInt64(4 * encoder)))
        XCTAssertThrowsError(try c.checkParameterMemory(availableBytes: UInt64(4 * encoder - 1))) { error in
            XCTAssertTrue("\(error)".contains("would need \(4 * encoder) bytes, more than this machine's \(4 * encoder - 1) bytes"), "\(error)")
        }
        // The masked-LM head adds a vocab_size bias and a transform.
        XCTAssertThrowsError(try c.checkParameterMemory(head: .maskedLM, availableBytes: UInt64(4 * encoder)))
    }

    /// The estimate is the count the model really has, so that the memory check means something.
    func testParameterCountEstimateIsExact() throws {
        var v2 = DeBERTaConfiguration(modelType: "deberta-v2")
        v2.vocabSize = 50; v2.hiddenSize = 12; v2.numHiddenLayers = 2; v2.numAttentionHeads = 3; v2.intermediateSize = 20
        v2.maxPositionEmbeddings = 24; v2.relativeAttention = true; v2.positionBuckets = 8; v2.posAttType = ["p2c", "c2p"]
        v2.positionBiasedInput = false; v2.normRelEbd = "layer_norm"; v2.typeVocabSize = 2
        var variants: [(String, DeBERTaConfiguration)] = [("v2, own position projections", v2)]
        var shared = v2; shared.shareAttKey = true; shared.embeddingSize = 8; shared.poolerHiddenSize = 10
        variants.append(("v2, shared keys, embedding projection", shared))
        var conv = v2; conv.convKernelSize = 3; conv.convGroups = 2
        variants.append(("v2 with convolution", conv))
        var v1 = DeBERTaConfiguration(modelType: "deberta")
        v1.vocabSize = 40; v1.hiddenSize = 16; v1.numHiddenLayers = 2; v1.numAttentionHeads = 4; v1.intermediateSize = 24
        v1.maxPositionEmbeddings = 32; v1.relativeAttention = true; v1.maxRelativePositions = 16; v1.posAttType = ["c2p", "p2c"]
        v1.positionBiasedInput = true
        variants.append(("v1, fused attention", v1))
        let heads: [HeadKind] = [.encoderOnly, .maskedLM, .sequenceClassification(numLabels: 3), .tokenClassification(numLabels: 5),
                                 .questionAnswering, .multipleChoice, .replacedTokenDetection]
        for (name, c) in variants {
            for head in heads {
                let model = try DeBERTaModel(configuration: c, head: head, builder: .zeros())
                XCTAssertEqual(try c.parameterCount(head: head).count, model.parameterCount, "\(name), \(head)")
            }
        }
    }

    /// A classifier needs a label: `num_labels` 0 (or a negative count from code) is refused before building.
    func testClassifierHeadsNeedALabel() throws {
        let c = try load([:])
        XCTAssertThrowsError(try DeBERTaModel(configuration: c, head: .sequenceClassification(numLabels: 0), builder: .zeros())) { error in
            XCTAssertTrue("\(error)".contains("num_labels 0 must be at least 1 for a DebertaV2ForSequenceClassification head"), "\(error)")
        }
        XCTAssertThrowsError(try DeBERTaModel(configuration: c, head: .tokenClassification(numLabels: -2), builder: .zeros()))
    }

    /// A parameter whose storage cannot be had is reported by the builder, naming it, instead of
    /// stopping the process; nothing after it is allocated.
    func testParameterBuilderReportsAnAllocationFailure() throws {
        let b = ParameterBuilder(randomSeed: 1)
        let small = b.make("small", [2, 3], .ones)
        XCTAssertEqual(small.value.scalars, [Float](repeating: 1, count: 6))
        let huge = b.make("huge", [1 << 24, 1 << 24], .normal(std: 0.02))  // 2⁴⁸ floats: 1 PiB
        XCTAssertEqual(huge.value.count, 0)
        let after = b.make("after", [4], .zeros)
        XCTAssertEqual(after.value.count, 0, "nothing is allocated after a failure")
        XCTAssertThrowsError(try b.finish()) { error in
            XCTAssertEqual("\(error)", "random initialisation: parameter huge [16777216, 16777216]: out of memory for a tensor of 1125899906842624 bytes")
        }
        let negative = ParameterBuilder.zeros()
        _ = negative.make("bad", [3, -1], .zeros)
        XCTAssertThrowsError(try negative.finish()) { XCTAssertTrue("\($0)".contains("parameter bad [3, -1]: cannot allocate a tensor: negative extent"), "\($0)") }
    }
}

/// Forward passes refuse work they cannot bound and labels that would give a silently wrong loss.
final class ForwardLimitsTests: XCTestCase {
    func tinyConfiguration(positionBiased: Bool = false) -> DeBERTaConfiguration {
        var c = DeBERTaConfiguration(modelType: "deberta-v2")
        c.vocabSize = 16; c.hiddenSize = 8; c.numHiddenLayers = 1; c.numAttentionHeads = 2; c.intermediateSize = 8
        c.maxPositionEmbeddings = 32
        if positionBiased { c.positionBiasedInput = true } else {
            c.positionBiasedInput = false; c.relativeAttention = true; c.positionBuckets = 8; c.posAttType = ["p2c", "c2p"]
        }
        return c
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    /// 20,000 tokens used to run quadratic attention for minutes; now an error before any work.
    func testOverlongSequencesAreRefusedBeforeAnyWork() throws {
        let relative = try DeBERTaModel(configuration: tinyConfiguration(), head: .encoderOnly, builder: .zeros())
        XCTAssertEqual(relative.maxSequenceLength, 4096, "max(max_position_embeddings, relativeSequenceLengthCap)")
        let long = ModelInput(inputIds: IndexTensor([Int32](repeating: 3, count: 20_000), shape: [1, 20_000]))
        XCTAssertEqual(message { _ = try relative(long) }, "invalid input: sequence length 20000 exceeds 4096, the model's maxSequenceLength (raise it to allow longer sequences)")
        // A relative model runs past max_position_embeddings; the cap is the caller's to set.
        XCTAssertNoThrow(try relative(ModelInput(inputIds: IndexTensor([Int32](repeating: 3, count: 40), shape: [1, 40]))))
        relative.maxSequenceLength = 39
        XCTAssertTrue(message { _ = try relative(ModelInput(inputIds: IndexTensor([Int32](repeating: 3, count: 40), shape: [1, 40]))) }.contains("sequence length 40 exceeds 39"))

        let absolute = try DeBERTaModel(configuration: tinyConfiguration(positionBiased: true), head: .encoderOnly, builder: .zeros())
        absolute.maxSequenceLength = 1000  // cannot reach past the position table
        XCTAssertEqual(absolute.effectiveMaxSequenceLength, 32)
        XCTAssertEqual(message { _ = try absolute(ModelInput(inputIds: IndexTensor([Int32](repeating: 3, count: 33), shape: [1, 33]))) },
                       "invalid input: sequence length 33 exceeds 32, max_position_embeddings of this position-biased model")
    }

    func testAttentionScoresBeyondMemoryAreRefused() throws {
        let model = try DeBERTaModel(configuration: tinyConfiguration(), head: .encoderOnly, builder: .zeros())
        let input = ModelInput(inputIds: IndexTensor([Int32](repeating: 3, count: 4 * 64), shape: [4, 64]))
        XCTAssertNoThrow(try model.checkInputBounds(input, availableBytes: 2 * 4 * 64 * 64 * 4))
        XCTAssertThrowsError(try model.checkInputBounds(input, availableBytes: 2 * 4 * 64 * 64 * 4 - 1)) { error in
            XCTAssertTrue("\(error)".contains("a batch of shape [4, 64] needs 131072 bytes for one layer's attention scores (2 heads)"), "\(error)")
        }
    }

    /// The Enhanced Mask Decoder reads absolute positions: past the table it used to trap in the lookup.
    func testDecoderRefusesSequencesPastThePositionTable() throws {
        let model = try DeBERTaModel(configuration: tinyConfiguration(), head: .maskedLM, seed: 3)
        let input = ModelInput(inputIds: IndexTensor([Int32](repeating: 3, count: 40), shape: [1, 40]))
        XCTAssertEqual(message { _ = try model.maskedLMWithDecoder(input) },
                       "invalid input: sequence length 40 exceeds max_position_embeddings 32, the rows of the position table the Enhanced Mask Decoder reads")
        XCTAssertNoThrow(try model.maskedLMWithDecoder(ModelInput(inputIds: IndexTensor([Int32](repeating: 3, count: 32), shape: [1, 32]))))
    }

    /// Labels outside the classes (−100 alone is ignored, as transformers' CrossEntropyLoss) and
    /// labels whose shape disagrees with the batch used to produce a loss; now they are errors.
    func testLabelsOutsideTheClassesOrTheBatchAreRefused() throws {
        let c = tinyConfiguration()
        let ids = IndexTensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let seq = try DeBERTaModel(configuration: c, head: .sequenceClassification(numLabels: 3), builder: .zeros())
        func seqLabels(_ v: [Int32], _ shape: [Int]) -> String { message { _ = try seq(ModelInput(inputIds: ids), labels: .classes(IndexTensor(v, shape: shape))) } }
        XCTAssertEqual(seqLabels([-5, 1], [2]), "invalid input: sequence classification: label -5 outside [0, 3) (−100 marks a label to ignore)")
        XCTAssertEqual(seqLabels([1, 3], [2]), "invalid input: sequence classification: label 3 outside [0, 3) (−100 marks a label to ignore)")
        XCTAssertEqual(seqLabels([1, 0], [1, 2]), "invalid input: sequence classification: labels of shape [1, 2] for a batch of 2 sequences (expected [2] or [2, 1])")
        XCTAssertEqual(seqLabels([1, 0, 2], [3]), "invalid input: sequence classification: labels of shape [3] for a batch of 2 sequences (expected [2] or [2, 1])")
        XCTAssertEqual(seqLabels([-100, 2], [2]), "no error")
        XCTAssertEqual(seqLabels([0, 2], [2, 1]), "no error")
        XCTAssertTrue(message { _ = try seq(ModelInput(inputIds: ids), labels: .values(Tensor([0.5, 1, 2], shape: [3]))) }.contains("regression: labels of shape [3]"))

        let mlm = try DeBERTaModel(configuration: c, head: .maskedLM, builder: .zeros())
        func mlmLabels(_ v: [Int32], _ shape: [Int]) -> String { message { _ = try mlm(ModelInput(inputIds: ids), labels: .classes(IndexTensor(v, shape: shape))) } }
        XCTAssertEqual(mlmLabels([-100, 16, -100, -100, 2, -100], [2, 3]), "invalid input: masked LM: label 16 outside [0, 16) (−100 marks a label to ignore)")
        XCTAssertEqual(mlmLabels([-100, -1, -100, -100, 2, -100], [2, 3]), "invalid input: masked LM: label -1 outside [0, 16) (−100 marks a label to ignore)")
        XCTAssertEqual(mlmLabels([-100, 15, -100, -100, 2, -100], [3, 2]), "invalid input: masked LM: labels of shape [3, 2] for input_ids of shape [2, 3] (expected one label per token)")
        XCTAssertEqual(mlmLabels([-100, 15, -100, -100, 2, -100], [2, 3]), "no error")

        let tok = try DeBERTaModel(configuration: c, head: .tokenClassification(numLabels: 2), builder: .zeros())
        XCTAssertTrue(message { _ = try tok(ModelInput(inputIds: ids), labels: .classes(IndexTensor([0, 1, 1, 0, 1, 2], shape: [2, 3]))) }.contains("label 2 outside [0, 2)"))

        let choice = try DeBERTaModel(configuration: c, head: .multipleChoice, builder: .zeros())
        let choices = IndexTensor([Int32](repeating: 3, count: 2 * 4 * 3), shape: [2, 4, 3])
        XCTAssertTrue(message { _ = try choice(ModelInput(inputIds: choices), labels: .classes(IndexTensor([1, 4], shape: [2]))) }.contains("multiple choice: label 4 outside [0, 4)"))
        XCTAssertEqual(message { _ = try choice(ModelInput(inputIds: choices), labels: .classes(IndexTensor([1, 3], shape: [2]))) }, "no error")
    }
}

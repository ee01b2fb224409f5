import DeBERTa
import DeBERTaTestSupport
import Foundation
import XCTest

/// ``TextClassifier`` against transformers' logits, hand-computed softmax/sigmoid, and a real
/// fine-tuned model.
final class TextClassifierTests: XCTestCase {
    let exampleTiny = packageRoot.appendingPathComponent("Examples/deberta-v3-tiny")
    let pretrained = packageRoot.appendingPathComponent("Examples/deberta-v3-h256-rtd")
    let sst2 = packageRoot.appendingPathComponent("Examples/deberta-v3-h256-sst2")

    /// Text → padded batch → model → probabilities, end to end against transformers 5.24 on the
    /// `deberta-v3-tiny` fixture as a 3-label classifier (Examples/deberta-v3-tiny): the batch equals
    /// the fixture's padded `input_ids` / `attention_mask`, the probabilities equal the softmax of
    /// its float64 `seqcls3.logits`.
    func testProbabilitiesAreTheSoftmaxOfTransformersLogits() throws {
        let reference = try TinyReference()
        let tokenizer = try fixtureTokenizer(maskId: 127)
        let rows = try (0..<3).map { try reference.ids(row: $0) }
        XCTAssertFalse(rows.joined().contains(127), "[MASK] must not occur in the rows")
        let texts = rows.map { fixtureText($0, maskId: 127) }
        XCTAssertEqual(texts[2], "t7 t68 t58")

        let input = try ModelInput(texts: texts, tokenizer: tokenizer)
        XCTAssertEqual(input.inputIds.shape, try reference.shape("input_ids"))
        XCTAssertEqual(input.inputIds.values.map(Int.init), try reference.ints("input_ids"))
        XCTAssertEqual(input.attentionMask!.values.map(Int.init), try reference.ints("attention_mask"))

        let (model, _) = try DeBERTaModel.load(from: exampleTiny)
        let classifier = try TextClassifier(model: model, tokenizer: tokenizer)
        XCTAssertEqual(classifier.labels, ["contradiction", "neutral", "entailment"])
        XCTAssertEqual(classifier.scoreFunction, .softmax)
        let logits = try reference.doubles("f64.seqcls3.logits")
        let results = try classifier.classify(texts)
        XCTAssertEqual(results.count, 3)
        for (b, scores) in results.enumerated() {
            let expected = handSoftmax(Array(logits[3 * b ..< 3 * b + 3]))
            XCTAssertEqual(scores.map(\.index).sorted(), [0, 1, 2])
            XCTAssertEqual(scores.map(\.index), expected.indices.sorted { expected[$0] > expected[$1] }, "row \(b): best first")
            for s in scores {
                XCTAssertEqual(s.score, expected[s.index], accuracy: 2e-6, "row \(b) \(s.label)")
                XCTAssertEqual(s.label, classifier.labels[s.index])
            }
            XCTAssertEqual(scores.map(\.score).reduce(0, +), 1, accuracy: 1e-12)
        }
        // The fixture's three rows all favour class 2: softmax(−0.088, −0.308, 1.246) puts 3.477 / 5.128 = 0.678 on it.
        XCTAssertEqual(results.map { $0[0].label }, ["entailment", "entailment", "entailment"])
        XCTAssertEqual(results[0][0].score, 0.678, accuracy: 5e-4)

        let top = try classifier.classify(texts[1], topK: 1)
        XCTAssertEqual(top, [results[1][0]])
        XCTAssertEqual(try classifier.classify(texts, topK: 2, batchSize: 1), results.map { Array($0.prefix(2)) },
                       "one text per batch (no padding) gives the same scores as the padded batch")
    }

    /// A single output is a probability by sigmoid unless `problem_type` says regression (then the
    /// raw output), and multi-label heads take a sigmoid per label — transformers' pipeline rule.
    func testSigmoidAndRegressionFollowTheProblemType() throws {
        let reference = try TinyReference()
        let tokenizer = try fixtureTokenizer(maskId: 127)
        let texts = try (0..<3).map { fixtureText(try reference.ids(row: $0), maskId: 127) }
        let fixture = try References.fixture("deberta-v3-tiny")
        var backbone = try CheckpointFile.loadTensors(from: fixture.appendingPathComponent("model.safetensors"))
            .filter { !$0.key.hasPrefix("lm_predictions.") }
        let heads = try SafeTensors.read(from: fixture.appendingPathComponent("heads.safetensors")).tensors
        func classifier(_ prefix: String, labels: Int, problemType: String?) throws -> TextClassifier {
            var configuration = try DeBERTaConfiguration.load(from: fixture.appendingPathComponent("config.json"))
            configuration.problemType = problemType
            for (name, tensor) in heads where name.hasPrefix(prefix + ".") { backbone[String(name.dropFirst(prefix.count + 1))] = tensor }
            let (model, _) = try DeBERTaModel.load(configuration: configuration, tensors: backbone, file: prefix,
                                                   head: .sequenceClassification(numLabels: labels))
            return try TextClassifier(model: model, tokenizer: tokenizer)
        }

        let outputs = try reference.floats("seqcls1.logits")
        let sigmoid = try classifier("seqcls1", labels: 1, problemType: nil)
        XCTAssertEqual(sigmoid.scoreFunction, .sigmoid)
        XCTAssertEqual(sigmoid.labels, ["LABEL_0"])
        let regression = try classifier("seqcls1", labels: 1, problemType: "regression")
        XCTAssertEqual(regression.scoreFunction, .identity)
        for (b, (p, y)) in zip(try sigmoid.classify(texts), try regression.classify(texts)).enumerated() {
            XCTAssertEqual(y.count, 1)
            XCTAssertEqual(y[0].score, Double(outputs[b]), accuracy: 5e-5, "row \(b): the raw regression output")
            XCTAssertEqual(p[0].score, 1 / (1 + Foundation.exp(-Double(outputs[b]))), accuracy: 2e-5, "row \(b)")
        }

        let multi = try classifier("seqcls3", labels: 3, problemType: "multi_label_classification")
        XCTAssertEqual(multi.scoreFunction, .sigmoid)
        let logits = try reference.doubles("f64.seqcls3.logits")
        let scores = try multi.classify(texts[0])
        XCTAssertEqual(scores.map(\.index), [2, 0, 1])
        for s in scores { XCTAssertEqual(s.score, 1 / (1 + Foundation.exp(-logits[s.index])), accuracy: 2e-6) }
        XCTAssertGreaterThan(scores.map(\.score).reduce(0, +), 1.2, "independent probabilities need not sum to 1")
    }

    /// On the bundled pretrained model with a fresh 3-way head and the real tokenizer: each text's
    /// probabilities are the softmax, by hand, of the model's logits for the tokenizer's ids, alone
    /// or in a padded batch, and pairs score as `[CLS] A [SEP] B [SEP]`.
    func testProbabilitiesAreTheSoftmaxOfTheModelsLogitsForTheTokenizersIds() throws {
        let folder = try References.existing(pretrained)
        let (model, report) = try DeBERTaModel.load(from: folder, head: .sequenceClassification(numLabels: 3), newHeadSeed: 11)
        XCTAssertTrue(report.initialized.contains("classifier.weight"))
        let tokenizer = try Tokenizer.load(directory: folder)
        let classifier = try TextClassifier(model: model, tokenizer: tokenizer)
        let texts = ["The film is a triumph.", "Nothing happens for two hours, and then it ends.", "Fine."]
        let batch = try classifier.classify(texts)
        for (text, scores) in zip(texts, batch) {
            let ids = tokenizer.encode(text).inputIds
            let logits = try XCTUnwrap(try model(ModelInput(inputIds: IndexTensor(ids, shape: [1, ids.count]))).logits).scalars
            XCTAssertEqual(logits.count, 3)
            let expected = handSoftmax(logits.map(Double.init))
            for s in scores { XCTAssertEqual(s.score, expected[s.index], accuracy: 1e-5, "\(text) \(s.label)") }
            let alone = try classifier.classify(text)
            XCTAssertEqual(alone.map(\.index), scores.map(\.index), "\(text): same order alone as in the padded batch")
            for (a, s) in zip(alone, scores) { XCTAssertEqual(a.score, s.score, accuracy: 1e-5) }
        }

        let pairs = [(text: "A man plays a guitar.", pair: "Someone makes music."), (text: "Yes.", pair: "No.")]
        let pairScores = try classifier.classify(pairs: pairs)
        for (k, p) in pairs.enumerated() {
            let ids = try tokenizer.encode(p.text, pair: p.pair).inputIds
            XCTAssertEqual(ids.filter { $0 == tokenizer.specialTokenIds.sep }.count, 2)
            let logits = try XCTUnwrap(try model(ModelInput(inputIds: IndexTensor(ids, shape: [1, ids.count]))).logits).scalars
            let expected = handSoftmax(logits.map(Double.init))
            for s in pairScores[k] { XCTAssertEqual(s.score, expected[s.index], accuracy: 1e-5, "pair \(k)") }
            XCTAssertEqual(try classifier.classify(p.text, pair: p.pair).map(\.index), pairScores[k].map(\.index))
        }
    }

    /// The bundled SST-2 model (`make train`'s output, Examples/deberta-v3-h256-sst2) reads clear
    /// sentences the way a person does.
    func testFineTunedSST2ModelLabelsClearSentences() throws {
        let folder = try References.existing(sst2)
        let classifier = try TextClassifier(folder: folder)
        XCTAssertEqual(Set(classifier.labels), ["negative", "positive"])
        let positive = ["A gripping, funny and moving film.", "One of the best films of the year: beautifully acted and a joy to watch."]
        let negative = ["A dull, tedious mess.", "The plot is stupid and the acting is terrible; a waste of two hours."]
        let results = try classifier.classify(positive + negative)
        XCTAssertEqual(results.map { $0[0].label }, ["positive", "positive", "negative", "negative"],
                       results.map { $0.description }.joined(separator: "\n"))
        for scores in results { XCTAssertGreaterThan(scores[0].score, 0.75, "\(scores)") }
    }

    func testFoldersThatAreNotClassifiersAreRejectedByName() throws {
        let folder = try References.existing(pretrained)
        XCTAssertThrowsError(try TextClassifier(folder: folder)) { error in
            guard case let .unsuitableModel(path, reason)? = error as? InferenceError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, folder.path)
            XCTAssertTrue(reason.contains("DebertaV2ForReplacedTokenDetection"), reason)
        }
        let (tiny, _) = try DeBERTaModel.load(from: exampleTiny)
        XCTAssertThrowsError(try TextClassifier(model: tiny, tokenizer: try v3StyleTokenizer(), folder: "tiny")) { error in
            XCTAssertEqual("\(error)", "tiny: the tokenizer has 8001 ids but the model only 128: they do not belong together")
        }
        XCTAssertThrowsError(try TextClassifier(folder: exampleTiny)) { error in
            XCTAssertTrue("\(error)".contains(self.exampleTiny.path), "the missing tokenizer's folder is named: \(error)")
        }
    }
}

import DeBERTa
import DeBERTaTestSupport
import Foundation
import XCTest

/// One reference line of Tests/References/pipelines/*.jsonl: the call's arguments and the pipeline's answer.
struct PipelineReference {
    let input: [String: Any]
    let output: Any
    /// The answer's object keys in the order transformers wrote them.
    let outputKeys: [String]

    static func load(_ name: String) throws -> [PipelineReference] {
        let text = try String(contentsOf: References.url("pipelines/\(name)"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let raw = String(line[try XCTUnwrap(line.range(of: "\"output\": "))!.upperBound...])
            return PipelineReference(input: try XCTUnwrap(object["input"] as? [String: Any]), output: try XCTUnwrap(object["output"]),
                                     outputKeys: pipelineKeys(raw))
        }
    }
}

/// The object keys of Python-`json.dumps`-style text, in order.
func pipelineKeys(_ text: String) -> [String] {
    let pattern = try! NSRegularExpression(pattern: "\"([a-z_]+)\": ")
    return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range(at: 1), in: text)!]) }
}

/// `ours` (a ``PipelineJSON``) has the shape of `reference`: the same nesting (list or object), keys
/// and strings, numbers within `tolerance`; returns the largest number difference.
@discardableResult
func assertPipelineEqual(_ ours: PipelineJSON, _ reference: Any, tolerance: Double, _ context: String,
                         file: StaticString = #filePath, line: UInt = #line) -> Double {
    switch (ours, reference) {
    case let (.array(items), list as [Any]):
        guard items.count == list.count else {
            XCTFail("\(context): \(items.count) entries, transformers \(list.count)", file: file, line: line); return .infinity
        }
        return zip(items, list).enumerated().map { assertPipelineEqual($1.0, $1.1, tolerance: tolerance, "\(context)[\($0)]", file: file, line: line) }.max() ?? 0
    case let (.object(entries), dictionary as [String: Any]):
        XCTAssertEqual(Set(entries.map(\.0)), Set(dictionary.keys), context, file: file, line: line)
        return entries.map { key, value in
            guard let theirs = dictionary[key] else { return Double.infinity }
            return assertPipelineEqual(value, theirs, tolerance: tolerance, "\(context).\(key)", file: file, line: line)
        }.max() ?? 0
    case let (.string(s), theirs as String):
        XCTAssertEqual(s, theirs, context, file: file, line: line)
        return 0
    case let (.int(i), theirs as NSNumber):
        XCTAssertEqual(Double(i), theirs.doubleValue, context, file: file, line: line)
        return 0
    case let (.number(x), theirs as NSNumber):
        let difference = abs(x - theirs.doubleValue)
        XCTAssertLessThanOrEqual(difference, tolerance, "\(context): \(x) vs transformers \(theirs)", file: file, line: line)
        return difference
    default:
        XCTFail("\(context): \(ours) does not have the shape of \(reference)", file: file, line: line)
        return .infinity
    }
}

/// The pipelines against transformers 5.24's own pipelines (Tests/References/pipelines, made by
/// Scripts/make_pipeline_references.py): same shapes, keys in the same order, labels in the same
/// order, scores within 1e-5.
final class PipelineTests: XCTestCase {
    let sst2 = packageRoot.appendingPathComponent("Examples/deberta-v3-h256-sst2")

    func testTextClassificationMatchesTransformersPipeline() throws {
        let classifier = try TextClassifier(folder: sst2)
        let references = try PipelineReference.load("text-classification.jsonl")
        XCTAssertEqual(references.count, 19)
        var worst = 0.0
        for (k, reference) in references.enumerated() {
            let input = reference.input
            var topK = TextClassifier.TopK.legacy
            if input.keys.contains("top_k") { topK = (input["top_k"] as? Int).map { .count($0) } ?? .all }
            let function = (input["function_to_apply"] as? String).map { TextClassifier.ScoreFunction(pipelineName: $0)! }
            let ours = try (input["text"] as? [String]).map { try classifier.pipeline($0, topK: topK, function: function) }
                ?? classifier.pipeline(input["text"] as! String, pair: input["text_pair"] as? String, topK: topK, function: function)
            worst = max(worst, assertPipelineEqual(ours, reference.output, tolerance: 1e-5, "line \(k + 1)"))
            XCTAssertEqual(pipelineKeys(ours.description), reference.outputKeys, "line \(k + 1)")
        }
        XCTAssertLessThan(worst, 1e-5)
        print("text-classification: largest score difference \(worst)")
    }

    func testScoreFunctionNames() {
        XCTAssertEqual(TextClassifier.ScoreFunction(pipelineName: "none"), .identity)
        XCTAssertEqual(TextClassifier.ScoreFunction(pipelineName: "SIGMOID"), .sigmoid)
        XCTAssertNil(TextClassifier.ScoreFunction(pipelineName: "tanh"))
    }

    func testZeroShotMatchesTransformersPipeline() throws {
        let zeroShot = try ZeroShotClassifier(folder: References.url("pipelines/tiny-nli"))
        XCTAssertEqual(zeroShot.classifier.labels, ["contradiction", "neutral", "entailment"])
        XCTAssertEqual(zeroShot.entailmentIndex, 2)
        XCTAssertEqual(zeroShot.contradictionIndex, 0)
        let references = try PipelineReference.load("zero-shot.jsonl")
        XCTAssertEqual(references.count, 7)
        var worst = 0.0
        for (k, reference) in references.enumerated() {
            let input = reference.input
            let labels = (input["candidate_labels"] as? [String]) ?? ZeroShotClassifier.candidateLabels(input["candidate_labels"] as! String)
            let template = input["hypothesis_template"] as? String ?? ZeroShotClassifier.defaultHypothesisTemplate
            let multi = input["multi_label"] as? Bool ?? false
            let sequences = (input["sequences"] as? [String]) ?? [input["sequences"] as! String]
            let results = try sequences.map { try zeroShot.classify($0, candidateLabels: labels, hypothesisTemplate: template, multiLabel: multi).pipelineJSON }
            let ours = input["sequences"] is String ? results[0] : .array(results)
            worst = max(worst, assertPipelineEqual(ours, reference.output, tolerance: 1e-5, "line \(k + 1)"))
            XCTAssertEqual(pipelineKeys(ours.description), reference.outputKeys, "line \(k + 1)")
        }
        XCTAssertLessThan(worst, 1e-5)
        print("zero-shot-classification: largest score difference \(worst)")
        XCTAssertEqual(ZeroShotClassifier.candidateLabels(" a, b c ,, d"), ["a", "b c", "d"])
        XCTAssertThrowsError(try zeroShot.classify("t5", candidateLabels: ["t6"], hypothesisTemplate: "no slot"))
        XCTAssertThrowsError(try zeroShot.classify("t5", candidateLabels: []))
    }

    func testFeatureExtractionMatchesTransformersPipeline() throws {
        let extractor = try FeatureExtractor(folder: sst2)
        let references = try PipelineReference.load("feature-extraction.jsonl")
        XCTAssertEqual(references.count, 2)
        var worst = 0.0
        for (k, reference) in references.enumerated() {
            let text = reference.input["inputs"] as! String
            let ours = try extractor.pipeline(text)
            worst = max(worst, assertPipelineEqual(ours, reference.output, tolerance: 1e-5, "line \(k + 1)"))

            // The sentence embedding: the mean of the reference's token vectors; normalized to unit length.
            let tokens = ((reference.output as! [Any])[0] as! [[NSNumber]]).map { $0.map { $0.doubleValue } }
            let mean = (0..<tokens[0].count).map { j in tokens.map { $0[j] }.reduce(0, +) / Double(tokens.count) }
            let embedding = try extractor.embedding(text)
            XCTAssertEqual(embedding.count, 256)
            for j in mean.indices { XCTAssertEqual(Double(embedding[j]), mean[j], accuracy: 1e-4) }
            let unit = try extractor.embedding(text, normalize: true)
            XCTAssertEqual(unit.map { Double($0) * Double($0) }.reduce(0, +), 1, accuracy: 1e-5)
            let norm = mean.map { $0 * $0 }.reduce(0, +).squareRoot()
            for j in mean.indices { XCTAssertEqual(Double(unit[j]), mean[j] / norm, accuracy: 1e-4) }
        }
        print("feature-extraction: largest difference \(worst)")

        // A padded batch gives each text's own embedding.
        let texts = references.map { $0.input["inputs"] as! String }
        let batch = try extractor.embeddings(texts)
        for (k, text) in texts.enumerated() {
            let single = try extractor.embedding(text)
            XCTAssertEqual(zip(batch[k], single).map { abs($0 - $1) }.max()!, 0, accuracy: 1e-5)
        }
    }

    /// fill-mask on the fixture's masked-LM head with the tiny-nli tokenizer ([MASK] is id 127):
    /// top_k, targets (a list and a single string; scores stay the whole-vocabulary probabilities),
    /// two masks (a list per mask, sequences with the special tokens).
    func testFillMaskMatchesTransformersPipeline() throws {
        let filler = try FillMask(folder: References.fixture("deberta-v3-tiny"), tokenizerFolder: References.url("pipelines/tiny-nli"))
        let references = try PipelineReference.load("fill-mask.jsonl")
        XCTAssertEqual(references.count, 5)
        var worst = 0.0
        for (k, reference) in references.enumerated() {
            let input = reference.input
            let targets = (input["targets"] as? [String]) ?? (input["targets"] as? String).map { [$0] }
            let ours = try filler.pipeline(input["inputs"] as! String, topK: input["top_k"] as? Int ?? 5, targets: targets)
            worst = max(worst, assertPipelineEqual(ours, reference.output, tolerance: 1e-5, "line \(k + 1)"))
            XCTAssertEqual(pipelineKeys(ours.description), reference.outputKeys, "line \(k + 1)")
            // Token ids are integers in both.
            XCTAssertFalse(ours.description.contains("\"token\": 1.0"))
        }
        print("fill-mask: largest score difference \(worst)")
        XCTAssertEqual(try filler.targetIds(["\u{2581}t41", "t41", "\u{2581}t40"]), [40, 41], "a vocabulary token, or the first id of its encoding; once each")
        XCTAssertThrowsError(try filler.pipeline("t5 t6"), "no mask")
    }

    func testPipelineJSONWritesPythonStyle() {
        let value = PipelineJSON.object([("label", .string("a\"b\u{e9}\n")), ("score", .number(0.5)), ("k", .array([.int(1), .null, .bool(true)]))])
        XCTAssertEqual(value.description, #"{"label": "a\"bé\n", "score": 0.5, "k": [1, null, true]}"#)
    }
}

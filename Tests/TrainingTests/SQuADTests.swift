import DeBERTaFineTuning
import DeBERTaModeling
import DeBERTaTensors
import DeBERTaTestSupport
import DeBERTaTokenizers
import Foundation
import XCTest

/// The SQuAD task against references made in Python (Tests/References/qa, made by
/// Scripts/make_qa_references.py; see SOURCES.md): transformers' run_qa preprocessing and
/// postprocess_qa_predictions, and the official evaluation scripts' metrics.
final class SQuADTests: XCTestCase {
    func examples(_ name: String = "examples-v2.json") throws -> [SQuADExample] {
        try SQuADFile.read(References.url("qa/" + name))
    }

    func tokenizer() throws -> Tokenizer {
        try Tokenizer.load(directory: References.url("data/tokenizers/deberta-v3-style"))
    }

    struct FeaturesFile: Decodable {
        struct Feature: Decodable {
            var example: Int
            var input_ids: [Int32]
            var token_type_ids: [Int32]
            var offsets: [[Int]?]
            var start: Int
            var end: Int
        }
        struct Case: Decodable { var max_length: Int; var stride: Int; var features: [Feature] }
        var cases: [Case]
    }

    func testReadsTheOfficialLayout() throws {
        let v2 = try examples()
        XCTAssertEqual(v2.map(\.id), ["a1", "a2", "a3", "z1", "z2", "z3", "z4"])
        XCTAssertEqual(v2[0].answers, [.init(text: "its cathedral", start: 135), .init(text: "cathedral", start: 139)])
        XCTAssertEqual(v2[3].title, "Zoë")
        XCTAssertTrue(v2[2].isImpossible)
        XCTAssertEqual(v2[2].answers, [])
        let v1 = try examples("examples-v1.json")
        XCTAssertEqual(v1.map(\.id), ["a1", "a2", "z1", "z2", "z3"])
        XCTAssertFalse(v1.contains { $0.isImpossible })
    }

    func checkError(_ text: String, _ expected: String, line: UInt = #line) {
        XCTAssertThrowsError(try SQuADFile.parse(Array(text.utf8), file: "dev-v1.1.json"), line: line) { error in
            XCTAssertEqual((error as? TaskDataError)?.kind, .malformed, line: line)
            XCTAssertEqual("\(error)", expected, line: line)
        }
    }

    func testErrorsNameTheFileAndPlace() {
        checkError("{\"data\": [{\"title\": \"T\",\n \"paragraphs\": [{\"context\": \"abc\", \"qa",
                   "dev-v1.1.json:2:39: invalid JSON: unterminated string")
        checkError("{\"data\": [{\"paragraphs\": [{\"context\": \"abc\", \"qas\": [{\"question\": \"q\", \"answers\": []}]}]}]}",
                   "dev-v1.1.json: data[0].paragraphs[0].qas[0]: missing field \"id\"")
        checkError("{\"data\": [{\"paragraphs\": [{\"qas\": []}]}]}",
                   "dev-v1.1.json: data[0].paragraphs[0]: missing field \"context\"")
        checkError("{\"data\": [{\"paragraphs\": [{\"context\": \"abc\", \"qas\": [{\"id\": \"q7\", \"question\": \"q\", \"answers\": [{\"text\": \"bcd\", \"answer_start\": 1}]}]}]}]}",
                   "dev-v1.1.json: data[0].paragraphs[0].qas[0].answers[0]: question q7: answer \"bcd\" at 1..<4 lies outside its context (3 characters)")
        checkError("{\"data\": [{\"paragraphs\": [{\"context\": \"abc\", \"qas\": [{\"id\": \"q7\", \"question\": \"q\", \"answers\": [{\"text\": \"b\", \"answer_start\": \"1\"}]}]}]}]}",
                   "dev-v1.1.json: data[0].paragraphs[0].qas[0].answers[0].answer_start: expected an integer, found a string")
    }

    func testFeaturesMatchTransformersRunQA() throws {
        let file = try JSONDecoder().decode(FeaturesFile.self, from: Data(contentsOf: References.url("qa/features.json")))
        let examples = try examples(), tokenizer = try tokenizer()
        XCTAssertEqual(file.cases.count, 3)
        for c in file.cases {
            let features = try QAFeatures.make(examples, tokenizer: tokenizer, maxSequenceLength: c.max_length,
                                               docStride: c.stride, maxQueryLength: 64)
            XCTAssertEqual(features.count, c.features.count, "max_length \(c.max_length)")
            for (k, (f, r)) in zip(features, c.features).enumerated() {
                let m = "max_length \(c.max_length) feature \(k)"
                XCTAssertEqual(f.example, r.example, m)
                XCTAssertEqual(f.inputIds, r.input_ids, m)
                XCTAssertEqual(f.tokenTypeIds, r.token_type_ids, m)
                XCTAssertEqual(f.offsets.map { $0.map { [$0.lowerBound, $0.upperBound] } }, r.offsets, m)
                XCTAssertEqual(f.startPosition, r.start, m)
                XCTAssertEqual(f.endPosition, r.end, m)
            }
        }
    }

    struct PostprocessFile: Decodable {
        struct Run: Decodable {
            var version_2_with_negative: Bool
            var n_best_size: Int
            var max_answer_length: Int
            var null_score_diff_threshold: Float
            var predictions: [String: String]
            var null_odds: [String: Double]?
        }
        var max_length: Int
        var stride: Int
        var start_logits: [[Float]]
        var end_logits: [[Float]]
        var runs: [Run]
    }

    func testPostProcessingMatchesTransformers() throws {
        let file = try JSONDecoder().decode(PostprocessFile.self, from: Data(contentsOf: References.url("qa/postprocess.json")))
        let examples = try examples()
        let features = try QAFeatures.make(examples, tokenizer: tokenizer(), maxSequenceLength: file.max_length,
                                           docStride: file.stride, maxQueryLength: 64)
        let logits = zip(file.start_logits, file.end_logits).map { QAFeatureLogits(start: $0, end: $1) }
        XCTAssertEqual(logits.count, features.count)
        XCTAssertEqual(file.runs.count, 5)
        for run in file.runs {
            let predictions = QAPostProcessing.predict(examples: examples, features: features, logits: logits,
                                                       nBestSize: run.n_best_size, maxAnswerLength: run.max_answer_length,
                                                       versionTwo: run.version_2_with_negative,
                                                       nullScoreDiffThreshold: run.null_score_diff_threshold)
            let m = "v2 \(run.version_2_with_negative) n_best \(run.n_best_size) max \(run.max_answer_length) threshold \(run.null_score_diff_threshold)"
            for (e, p) in zip(examples, predictions) {
                XCTAssertEqual(p.text, run.predictions[e.id], "\(m) \(e.id)")
                if let odds = run.null_odds { XCTAssertEqual(p.nullOdds.map(Double.init), odds[e.id], "\(m) \(e.id)") }
                else { XCTAssertNil(p.nullOdds) }
            }
        }
    }

    struct MetricsFile: Decodable {
        var predictions: [String: String]
        var null_odds: [String: Double]
        var v1: [String: Double]
        var v1_missing: String
        var v2: [String: Double]
        var normalize: [String: String]
    }

    func testMetricsMatchTheOfficialScripts() throws {
        let file = try JSONDecoder().decode(MetricsFile.self, from: Data(contentsOf: References.url("qa/metrics.json")))
        for (text, normalized) in file.normalize { XCTAssertEqual(SQuADMetrics.normalize(text), normalized, text) }
        var v1Predictions = file.predictions
        v1Predictions[file.v1_missing] = nil
        let v1 = SQuADMetrics.versionOne(examples: try examples("examples-v1.json"), predictions: v1Predictions)
        XCTAssertEqual(v1["exact_match"], file.v1["exact_match"])
        XCTAssertEqual(v1["f1"], file.v1["f1"])
        let v2 = SQuADMetrics.versionTwo(examples: try examples(), predictions: file.predictions, naProbs: file.null_odds)
        XCTAssertEqual(Set(v2.keys), Set(file.v2.keys))
        for (key, value) in file.v2 { XCTAssertEqual(v2[key], value, key) }
    }

    func testTaskEvaluatesAndWritesTheOfficialFormat() throws {
        let task = try XCTUnwrap(FineTuningTasks.named("SQuADv2") as? SQuADTask)
        XCTAssertTrue(task.versionTwo)
        XCTAssertEqual(task.head, .questionAnswering)
        let file = try JSONDecoder().decode(MetricsFile.self, from: Data(contentsOf: References.url("qa/metrics.json")))
        let examples = try examples()
        let predictions = examples.map { QAPrediction(text: file.predictions[$0.id]!, nullOdds: Float(file.null_odds[$0.id]!)) }
        let metrics = try XCTUnwrap(task.evaluate(predictions, examples: examples))
        XCTAssertEqual(metrics["exact_match"], file.v2["exact"])
        XCTAssertEqual(metrics["f1"], file.v2["f1"])
        XCTAssertEqual(metrics["best_f1_thresh"], file.v2["best_f1_thresh"])
        XCTAssertEqual(metrics["eval_metric"], metrics["f1"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("squad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try XCTUnwrap(task.writePredictions(predictions, examples: examples, split: .dev, directory: directory))
        XCTAssertEqual(url.lastPathComponent, "predictions_dev.json")
        let written = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        XCTAssertEqual(written, file.predictions)
        let odds = try JSONDecoder().decode([String: Double].self, from: Data(contentsOf: directory.appendingPathComponent("null_odds_dev.json")))
        XCTAssertEqual(odds, file.null_odds)
        XCTAssertTrue(try FineTuningTasks.named("squad") is SQuADTask)
    }

    func testLossLabelsAndOutputs() throws {
        let task = SQuADTask(docStride: 16)
        let examples = try examples("examples-v1.json")
        let features = try task.features(for: examples, tokenizer: tokenizer(), maxSequenceLength: 48)
        let batch = PaddedBatch(features.map(\.inputIds), padId: 0)
        guard case let .spans(start, end) = try task.lossLabels(for: features, batch: batch) else { return XCTFail("not spans") }
        XCTAssertEqual(start.shape, [features.count])
        XCTAssertEqual(start.values.map(Int.init), features.map { $0.startPosition! })
        XCTAssertEqual(end.values.map(Int.init), features.map { $0.endPosition! })
        // [B, N, 2] logits: start at [..., 0], end at [..., 1].
        let n = batch.columns
        var values = [Float](repeating: 0, count: features.count * n * 2)
        for r in 0..<features.count { for t in 0..<n { values[(r * n + t) * 2] = Float(t); values[(r * n + t) * 2 + 1] = -Float(t) } }
        let outputs = try task.outputs(logits: Tensor(values, shape: [features.count, n, 2]), features: features)
        XCTAssertEqual(outputs[0].start.count, features[0].inputIds.count)
        XCTAssertEqual(outputs[0].start[3], 3)
        XCTAssertEqual(outputs[0].end[3], -3)
    }

    /// `--max_query_length` keeps the question's first tokens (run_qa itself does not cut questions;
    /// the legacy `squad_convert_examples_to_features` did).
    func testLongQuestionsKeepTheirFirstTokens() throws {
        var example = try examples()[0]
        let tokenizer = try tokenizer()
        let question = try tokenizer.encode(example.question, pair: nil, addSpecialTokens: false).inputIds
        example.question = "  " + example.question
        let features = try QAFeatures.make([example], tokenizer: tokenizer, maxSequenceLength: 64, docStride: 16, maxQueryLength: 4)
        XCTAssertEqual(Array(features[0].inputIds[1...5]), question.prefix(4).map(Int32.init) + [Int32(tokenizer.specialTokenIds.sep)])
        XCTAssertEqual(features[0].tokenTypeIds.prefix(7), [0, 0, 0, 0, 0, 0, 1])
        XCTAssertThrowsError(try QAFeatures.make([example], tokenizer: tokenizer, maxSequenceLength: 23, docStride: 16, maxQueryLength: 4))
    }
}

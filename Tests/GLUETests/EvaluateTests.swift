import DeBERTaGLUE
import XCTest

/// `GLUEMetrics.evaluate`: each task's metric set, keyed as the original's eval_results files.
final class EvaluateTests: XCTestCase {
    // TP 2, TN 1, FP 1, FN 1: accuracy 3/5, F1 4/6, MCC 1/6.
    let predictions = [1, 1, 1, 0, 0]
    let labels = [1, 1, 0, 1, 0]

    func testClassificationMetricSets() throws {
        let cola = try GLUEMetrics.evaluate(task: .cola, predictions: predictions, labels: labels)
        XCTAssertEqual(Set(cola.keys), ["accuracy", "mcc", "eval_metric"])
        XCTAssertEqual(cola["accuracy"]!, 0.6, accuracy: 1e-15)
        XCTAssertEqual(cola["mcc"]!, 1.0 / 6.0, accuracy: 1e-15)
        XCTAssertEqual(cola["eval_metric"], cola["mcc"])

        let mrpc = try GLUEMetrics.evaluate(task: .mrpc, predictions: predictions, labels: labels)
        XCTAssertEqual(Set(mrpc.keys), ["accuracy", "f1", "eval_metric"])
        XCTAssertEqual(mrpc["f1"]!, 4.0 / 6.0, accuracy: 1e-15)
        XCTAssertEqual(mrpc["eval_metric"]!, (0.6 + 4.0 / 6.0) / 2, accuracy: 1e-15)

        for task in [GLUETask.sst2, .qnli, .rte, .wnli] {
            let metrics = try GLUEMetrics.evaluate(task: task, predictions: predictions, labels: labels)
            XCTAssertEqual(Set(metrics.keys), ["accuracy", "eval_metric"])
            XCTAssertEqual(metrics["eval_metric"], metrics["accuracy"])
        }

        let ax = try GLUEMetrics.evaluate(task: .ax, predictions: [0, 1, 2, 2, 1, 0], labels: [0, 1, 2, 1, 1, 2])
        XCTAssertEqual(ax["accuracy"]!, 4.0 / 6.0, accuracy: 1e-15)
        XCTAssertEqual(ax["eval_metric"], ax["mcc"])
    }

    func testMNLIPerGenreAccuracy() throws {
        let metrics = try GLUEMetrics.evaluate(task: .mnli, predictions: [0, 1, 2, 2], labels: [0, 1, 1, 2],
                                               genres: ["fiction", "slate", "slate", "fiction"])
        XCTAssertEqual(metrics["accuracy"], 0.75)
        XCTAssertEqual(metrics["accuracy_fiction"], 1.0)
        XCTAssertEqual(metrics["accuracy_slate"], 0.5)
        XCTAssertEqual(metrics["eval_metric"], 0.75)
    }

    func testSTSB() throws {
        let gold = [0.0, 1.2, 2.4, 3.6, 5.0]
        let predicted = [0.3, 1.0, 2.9, 3.1, 4.7]
        let metrics = try GLUEMetrics.evaluate(task: .stsb, predictions: predicted, labels: gold)
        XCTAssertEqual(Set(metrics.keys), ["pearsonr", "spearmanr", "eval_metric"])
        XCTAssertEqual(metrics["spearmanr"]!, 1.0, accuracy: 1e-15)
        XCTAssertEqual(metrics["eval_metric"]!, (metrics["pearsonr"]! + 1) / 2, accuracy: 1e-15)
    }

    func testEvaluateAgainstExamples() throws {
        let examples = (0..<4).map { i in
            GLUEExample(guid: "dev_matched-\(i)", index: i, line: i + 2, textA: "a", textB: "b",
                        label: .classIndex(i % 3), genre: i < 2 ? "travel" : "slate")
        }
        let metrics = try GLUEMetrics.evaluate(task: .mnli, predictions: [.classIndex(0), .classIndex(1), .classIndex(0), .classIndex(0)],
                                               examples: examples)
        XCTAssertEqual(metrics["accuracy"], 0.75)
        XCTAssertEqual(metrics["accuracy_travel"], 1.0)
        XCTAssertEqual(metrics["accuracy_slate"], 0.5)
    }

    func testBadEvaluateInputs() {
        XCTAssertThrowsError(try GLUEMetrics.evaluate(task: .stsb, predictions: [1, 0], labels: [1, 0]))
        XCTAssertThrowsError(try GLUEMetrics.evaluate(task: .rte, predictions: [0.5, 1], labels: [0.5, 1]))
        XCTAssertThrowsError(try GLUEMetrics.evaluate(task: .rte, predictions: [0, 2], labels: [0, 1])) { error in
            XCTAssertTrue("\(error)".contains("prediction 1 is class 2, outside 0..<2"), "\(error)")
        }
        XCTAssertThrowsError(try GLUEMetrics.evaluate(task: .mnli, predictions: [0], labels: [0], genres: ["a", "b"]))
        let unlabelled = [GLUEExample(guid: "test-0", index: 0, line: 2, textA: "x", textB: nil, label: nil)]
        XCTAssertThrowsError(try GLUEMetrics.evaluate(task: .sst2, predictions: [.classIndex(0)], examples: unlabelled)) { error in
            XCTAssertTrue("\(error)".contains("test-0 (line 2) has no label"), "\(error)")
        }
        let labelled = [GLUEExample(guid: "dev-0", index: 0, line: 2, textA: "x", textB: nil, label: .classIndex(1))]
        XCTAssertThrowsError(try GLUEMetrics.evaluate(task: .sst2, predictions: [.score(1)], examples: labelled))
    }
}

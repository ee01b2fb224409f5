import Foundation
import DeBERTaGLUE
import XCTest

/// The metrics agree with scikit-learn / SciPy (Resources/metric_references.json, made by
/// Scripts/make_metric_references.py) to 1e-12.
final class MetricReferenceTests: XCTestCase {
    struct ClassificationCase: Decodable {
        let name: String
        let predictions: [Int]
        let labels: [Int]
        let accuracy: Double
        let mcc: Double
        let f1: Double?
    }

    struct RegressionCase: Decodable {
        let name: String
        let predictions: [Double]
        let labels: [Double]
        let pearson: Double?      // nil = NaN
        let spearman: Double?
        let prediction_ranks: [Double]
        let label_ranks: [Double]
    }

    struct References: Decodable {
        let classification: [ClassificationCase]
        let regression: [RegressionCase]
    }

    static let tolerance = 1e-12

    private func references() throws -> References {
        let url = TestPaths.resources.appendingPathComponent("metric_references.json")
        return try JSONDecoder().decode(References.self, from: Data(contentsOf: url))
    }

    func testClassificationMetricsMatchScikitLearn() throws {
        let cases = try references().classification
        XCTAssertEqual(cases.count, 18)
        var multiClass = 0, degenerate = 0
        for c in cases {
            XCTAssertEqual(try GLUEMetrics.accuracy(predictions: c.predictions, labels: c.labels), c.accuracy,
                           accuracy: Self.tolerance, c.name)
            XCTAssertEqual(try GLUEMetrics.matthewsCorrelation(predictions: c.predictions, labels: c.labels), c.mcc,
                           accuracy: Self.tolerance, c.name)
            if let f1 = c.f1 {
                XCTAssertEqual(try GLUEMetrics.f1(predictions: c.predictions, labels: c.labels), f1,
                               accuracy: Self.tolerance, c.name)
            }
            if Set(c.labels + c.predictions).count > 2 { multiClass += 1 }
            if c.mcc == 0 { degenerate += 1 }
        }
        XCTAssertEqual(multiClass, 5)
        XCTAssertEqual(degenerate, 5)
    }

    func testCorrelationsAndRanksMatchSciPy() throws {
        let cases = try references().regression
        XCTAssertEqual(cases.count, 10)
        for c in cases {
            let pearson = try GLUEMetrics.pearson(c.labels, c.predictions)
            let spearman = try GLUEMetrics.spearman(c.labels, c.predictions)
            if let expected = c.pearson {
                XCTAssertEqual(pearson, expected, accuracy: Self.tolerance, c.name)
            } else {
                XCTAssertTrue(pearson.isNaN, c.name)
            }
            if let expected = c.spearman {
                XCTAssertEqual(spearman, expected, accuracy: Self.tolerance, c.name)
            } else {
                XCTAssertTrue(spearman.isNaN, c.name)
            }
            XCTAssertEqual(GLUEMetrics.averageRanks(c.predictions), c.prediction_ranks, c.name)
            XCTAssertEqual(GLUEMetrics.averageRanks(c.labels), c.label_ranks, c.name)
        }
    }

    func testSmallHandCheckedValues() throws {
        XCTAssertEqual(GLUEMetrics.averageRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1])
        // TP 2, TN 1, FP 1, FN 1: (2·1 − 1·1)/√(3·3·2·2) = 1/6.
        XCTAssertEqual(try GLUEMetrics.matthewsCorrelation(predictions: [1, 1, 1, 0, 0], labels: [1, 1, 0, 1, 0]),
                       1.0 / 6.0, accuracy: 1e-15)
        XCTAssertEqual(try GLUEMetrics.f1(predictions: [1, 1, 1, 0, 0], labels: [1, 1, 0, 1, 0]), 4.0 / 6.0, accuracy: 1e-15)
        // Constant within floating-point mean error (0.1 · 3 ≠ 0.3) is still constant: NaN, as SciPy.
        XCTAssertTrue(try GLUEMetrics.pearson([0.1, 0.1, 0.1], [1, 2, 3]).isNaN)
    }

    func testBadMetricInputs() {
        XCTAssertThrowsError(try GLUEMetrics.accuracy(predictions: [1, 0], labels: [1])) { error in
            XCTAssertEqual((error as? GLUEError)?.kind, .invalidArgument)
            XCTAssertTrue("\(error)".contains("2 predictions but 1 labels"), "\(error)")
        }
        XCTAssertThrowsError(try GLUEMetrics.matthewsCorrelation(predictions: [], labels: []))
        XCTAssertThrowsError(try GLUEMetrics.pearson([1], [2]))
        XCTAssertThrowsError(try GLUEMetrics.spearman([1, .nan], [2, 3])) { error in
            XCTAssertTrue("\(error)".contains("y[1] is nan") || "\(error)".contains("x[1] is nan"), "\(error)")
        }
        XCTAssertThrowsError(try GLUEMetrics.argmax(logits: [Float](repeating: 0, count: 5), numLabels: 2))
        XCTAssertThrowsError(try GLUEMetrics.argmax(logits: [0, Float.nan], numLabels: 2))
    }

    func testArgmaxFirstMaximumWins() throws {
        XCTAssertEqual(try GLUEMetrics.argmax(logits: [0.1, 0.9, -1, 2, 2, 0, 3, 3, 3] as [Float], numLabels: 3), [1, 0, 0])
        XCTAssertEqual(try GLUEMetrics.argmax(logits: [0.5, -0.5] as [Double], numLabels: 2), [0])
    }
}

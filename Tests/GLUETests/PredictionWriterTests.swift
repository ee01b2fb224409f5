import Foundation
import DeBERTaGLUE
import XCTest

/// Prediction files in the GLUE server's format, written atomically.
final class PredictionWriterTests: XCTestCase {
    private func testExamples(_ count: Int) -> [GLUEExample] {
        (0..<count).map { GLUEExample(guid: "test-\($0)", index: $0, line: $0 + 2, textA: "a", textB: "b", label: nil) }
    }

    func testLabelStringsAndHeader() throws {
        XCTAssertEqual(try GLUEPredictionWriter.contents(task: .rte, predictions: [.classIndex(1), .classIndex(0)]),
                       "index\tprediction\n0\tentailment\n1\tnot_entailment\n")
        XCTAssertEqual(try GLUEPredictionWriter.contents(task: .mnli, predictions: [.classIndex(0), .classIndex(1), .classIndex(2)]),
                       "index\tprediction\n0\tcontradiction\n1\tneutral\n2\tentailment\n")
        XCTAssertEqual(try GLUEPredictionWriter.contents(task: .cola, predictions: [.classIndex(1)]),
                       "index\tprediction\n0\t1\n")
        // STS-B: the raw score, unclamped (the original writes raw outputs too).
        XCTAssertEqual(try GLUEPredictionWriter.contents(task: .stsb, predictions: [.score(3.25), .score(5.5), .score(-0.125), .score(2)]),
                       "index\tprediction\n0\t3.25\n1\t5.5\n2\t-0.125\n3\t2.0\n")
    }

    func testSubmissionFileIsWrittenAtomicallyUnderTheServerName() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let old = directory.appendingPathComponent("MNLI-mm.tsv")
        try "old contents".write(to: old, atomically: false, encoding: .utf8)
        let url = try GLUEPredictionWriter.writeSubmission(task: .mnli, split: .testMismatched,
                                                           predictions: [.classIndex(2), .classIndex(0)],
                                                           examples: testExamples(2), directory: directory)
        XCTAssertEqual(url.lastPathComponent, "MNLI-mm.tsv")
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "index\tprediction\n0\tentailment\n1\tcontradiction\n")
        // Only the destination is left: the temporary file was renamed, not copied.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["MNLI-mm.tsv"])
        let ax = try GLUEPredictionWriter.writeSubmission(task: .ax, split: .test, predictions: [.classIndex(1)],
                                                          examples: testExamples(1), directory: directory)
        XCTAssertEqual(ax.lastPathComponent, "AX.tsv")
    }

    func testBadPredictions() throws {
        XCTAssertThrowsError(try GLUEPredictionWriter.contents(task: .rte, predictions: [.classIndex(0), .classIndex(2)])) { error in
            XCTAssertTrue("\(error)".contains("prediction 1 is class 2, outside 0..<2"), "\(error)")
        }
        XCTAssertThrowsError(try GLUEPredictionWriter.contents(task: .rte, predictions: [.score(1)]))
        XCTAssertThrowsError(try GLUEPredictionWriter.contents(task: .stsb, predictions: [.classIndex(1)]))
        XCTAssertThrowsError(try GLUEPredictionWriter.contents(task: .stsb, predictions: [.score(.nan)]))

        let directory = try TestPaths.temporaryDirectory(self)
        var shuffled = testExamples(3)
        shuffled.swapAt(0, 2)
        XCTAssertThrowsError(try GLUEPredictionWriter.writeSubmission(task: .sst2, split: .test,
                                                                      predictions: Array(repeating: .classIndex(0), count: 3),
                                                                      examples: shuffled, directory: directory)) { error in
            XCTAssertTrue("\(error)".contains("SST-2.tsv: example at position 0 has index 2"), "\(error)")
        }
        XCTAssertThrowsError(try GLUEPredictionWriter.writeSubmission(task: .sst2, split: .test, predictions: [.classIndex(0)],
                                                                      examples: testExamples(2), directory: directory))
        XCTAssertThrowsError(try GLUEPredictionWriter.writeSubmission(task: .sst2, split: .dev, predictions: [.classIndex(0)],
                                                                      examples: testExamples(1), directory: directory))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])

        let missing = directory.appendingPathComponent("no/such/dir/RTE.tsv")
        XCTAssertThrowsError(try GLUEPredictionWriter.write(task: .rte, predictions: [.classIndex(0)], to: missing)) { error in
            XCTAssertEqual((error as? GLUEError)?.kind, .ioFailure)
            XCTAssertEqual((error as? GLUEError)?.file, missing.path)
        }
    }
}

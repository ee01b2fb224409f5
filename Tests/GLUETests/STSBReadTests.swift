import DeBERTaGLUE
import XCTest

/// STS-B read from `Tests/References/data/glue/STS-B`; score sums from `awk`.
final class STSBReadTests: XCTestCase {
    func testDevRowsAndScores() throws {
        let directory = try TestPaths.requireGLUE("STS-B")
        let dev = try GLUETask.stsb.examples(split: .dev, dataDirectory: directory)
        XCTAssertEqual(dev.count, 1500)
        let scores = dev.compactMap { $0.label?.score }
        XCTAssertEqual(scores.count, 1500)
        XCTAssertEqual(scores.min(), 0)
        XCTAssertEqual(scores.max(), 5)
        XCTAssertEqual(scores.reduce(0, +), 3545.861333, accuracy: 1e-5)
        XCTAssertEqual(dev[0].textA, "A man with a hard hat is dancing.")
        XCTAssertEqual(dev[0].textB, "A man wearing a hard hat is dancing.")
        XCTAssertEqual(dev[0].label, .score(5))
        XCTAssertEqual(dev.last?.textA, "New video shows US police officers beating mentally-ill man")
        XCTAssertEqual(dev.last?.label, .score(0))   // written "0", not "0.000"
        XCTAssertEqual(unbalancedQuoteRows(dev), 13)
    }

    func testTrainAndTest() throws {
        let directory = try TestPaths.requireGLUE("STS-B")
        let train = try GLUETask.stsb.examples(split: .train, dataDirectory: directory)
        XCTAssertEqual(train.count, 5749)
        let scores = train.compactMap { $0.label?.score }
        XCTAssertEqual(scores.count, 5749)
        XCTAssertEqual(scores.reduce(0, +), 15528.043397, accuracy: 1e-5)
        XCTAssertEqual(scores.min(), 0)
        XCTAssertEqual(scores.max(), 5)
        XCTAssertEqual(unbalancedQuoteRows(train), 41)
        let test = try GLUETask.stsb.examples(split: .test, dataDirectory: directory)
        XCTAssertEqual(test.count, 1379)
        XCTAssertEqual(test[0].textA, "A girl is styling her hair.")
        XCTAssertEqual(test[0].textB, "A girl is brushing her hair.")
        XCTAssertTrue(test.allSatisfy { $0.label == nil })
    }
}

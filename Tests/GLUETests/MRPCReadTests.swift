import DeBERTaGLUE
import XCTest

/// MRPC read from `../shared/data/glue/MRPC` (train and dev start with a UTF-8 BOM).
final class MRPCReadTests: XCTestCase {
    func testDevRowsLabelsAndUnbalancedQuote() throws {
        let directory = try TestPaths.requireGLUE("MRPC")
        let dev = try GLUETask.mrpc.examples(split: .dev, dataDirectory: directory)
        XCTAssertEqual(dev.count, 408)
        XCTAssertEqual(labelCounts(dev, task: .mrpc), ["1": 279, "0": 129])
        // Row 1: B opens a quote it never closes; a quote-aware reader would merge lines here.
        XCTAssertEqual(dev[0].textA, "He said the foodservice pie business doesn't fit the company's long-term growth strategy.")
        XCTAssertEqual(dev[0].textB, "\"The foodservice pie business does not fit our long-term growth strategy.")
        XCTAssertEqual(dev[0].label, .classIndex(1))
        // SOURCES.md: 16 dev rows have an unbalanced quote.
        XCTAssertEqual(unbalancedQuoteRows(dev), 16)
    }

    func testTrainAndTest() throws {
        let directory = try TestPaths.requireGLUE("MRPC")
        let train = try GLUETask.mrpc.examples(split: .train, dataDirectory: directory)
        XCTAssertEqual(train.count, 3668)
        XCTAssertEqual(labelCounts(train, task: .mrpc), ["1": 2474, "0": 1194])
        XCTAssertEqual(unbalancedQuoteRows(train), 169)
        let test = try GLUETask.mrpc.examples(split: .test, dataDirectory: directory)
        XCTAssertEqual(test.count, 1725)
        XCTAssertTrue(test.allSatisfy { $0.label == nil && $0.textB != nil })
        XCTAssertEqual(test.last?.index, 1724)
        XCTAssertTrue(test.last!.textA.hasPrefix("Sobig.F spreads when unsuspecting computer users"))
    }
}

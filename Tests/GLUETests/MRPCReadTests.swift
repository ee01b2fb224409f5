import DeBERTaGLUE
import XCTest

/// MRPC read from `Tests/References/samples/glue/MRPC`: files written here in MRPC's exact layout (train
/// and dev start with a UTF-8 BOM, `Quality` first, unbalanced quotes), because the Microsoft Research
/// Paraphrase Corpus itself may not be redistributed (Tests/References/SOURCES.md).
final class MRPCReadTests: XCTestCase {
    func testDevRowsLabelsAndUnbalancedQuote() throws {
        let directory = try TestPaths.requireGLUESample("MRPC")
        XCTAssertEqual(Array(try Data(contentsOf: directory.appendingPathComponent("dev.tsv")).prefix(3)), [0xEF, 0xBB, 0xBF])
        let dev = try GLUETask.mrpc.examples(split: .dev, dataDirectory: directory)
        XCTAssertEqual(dev.count, 8)
        XCTAssertEqual(labelCounts(dev, task: .mrpc), ["1": 5, "0": 3])
        // Row 1: B opens a quote it never closes; a quote-aware reader would merge lines here.
        XCTAssertEqual(dev[0].textA, "The bakery said the new oven does not fit its plans for the coming year.")
        XCTAssertEqual(dev[0].textB, "\"The new oven doesn't fit our plans for next year, the bakery said.")
        XCTAssertEqual(dev[0].label, .classIndex(1))
        XCTAssertEqual(dev[3].textA, "The coach called the match \"the hardest of the season\" after the final whistle.")
        XCTAssertEqual(unbalancedQuoteRows(dev), 2)
    }

    func testTrainAndTest() throws {
        let directory = try TestPaths.requireGLUESample("MRPC")
        let train = try GLUETask.mrpc.examples(split: .train, dataDirectory: directory)
        XCTAssertEqual(train.count, 12)
        XCTAssertEqual(labelCounts(train, task: .mrpc), ["1": 8, "0": 4])
        XCTAssertEqual(unbalancedQuoteRows(train), 2)
        let test = try GLUETask.mrpc.examples(split: .test, dataDirectory: directory)
        XCTAssertEqual(test.count, 6)
        XCTAssertTrue(test.allSatisfy { $0.label == nil && $0.textB != nil })
        XCTAssertEqual(test.map(\.index), Array(0..<6))
        XCTAssertEqual(test[2].textB, "\"The ferry runs again once winter is over.")
        XCTAssertTrue(test.last!.textA.hasPrefix("The bakery on Main Street opens at six"))
    }
}

import DeBERTaGLUE
import XCTest

/// RTE read from `Tests/References/data/glue/RTE`.
final class RTEReadTests: XCTestCase {
    func testDevRowsAndLabelsInOriginalOrder() throws {
        let directory = try TestPaths.requireGLUE("RTE")
        let dev = try GLUETask.rte.examples(split: .dev, dataDirectory: directory)
        XCTAssertEqual(dev.count, 277)
        XCTAssertEqual(labelCounts(dev, task: .rte), ["entailment": 146, "not_entailment": 131])
        // The original's order: not_entailment = 0, entailment = 1.
        let entailed = dev.filter { $0.label == .classIndex(1) }.count
        XCTAssertEqual(entailed, 146)
        XCTAssertEqual(unbalancedQuoteRows(dev), 1)
    }

    func testTrainKeepsLeadingSpaceAndTestHasNoLabels() throws {
        let directory = try TestPaths.requireGLUE("RTE")
        let train = try GLUETask.rte.examples(split: .train, dataDirectory: directory)
        XCTAssertEqual(train.count, 2490)
        XCTAssertEqual(labelCounts(train, task: .rte), ["entailment": 1249, "not_entailment": 1241])
        // Row index 2164: sentence1 begins with a space (and an unbalanced quote); nothing is trimmed.
        XCTAssertTrue(train[2164].textA.hasPrefix(" \"That film wasn't too successful"))
        XCTAssertEqual(train[2164].line, 2166)
        XCTAssertEqual(unbalancedQuoteRows(train), 13)
        let test = try GLUETask.rte.examples(split: .test, dataDirectory: directory)
        XCTAssertEqual(test.count, 3000)
        XCTAssertTrue(test.allSatisfy { $0.label == nil && $0.textB != nil })
        XCTAssertTrue(test.last!.textA.hasPrefix("A Helios airliner (Boeing 737, flight HCY 522)"))
    }
}

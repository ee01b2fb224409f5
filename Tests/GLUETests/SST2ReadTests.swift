import DeBERTaGLUE
import XCTest

/// SST-2 read from `Tests/References/data/glue/SST-2`.
final class SST2ReadTests: XCTestCase {
    func testDevRowsLabelsAndTrailingSpace() throws {
        let directory = try TestPaths.requireGLUE("SST-2")
        let dev = try GLUETask.sst2.examples(split: .dev, dataDirectory: directory)
        XCTAssertEqual(dev.count, 872)
        XCTAssertEqual(labelCounts(dev, task: .sst2), ["1": 444, "0": 428])
        // Fields are not trimmed: every sentence keeps the trailing space of the tokenised form.
        XCTAssertEqual(dev[0].textA, "it 's a charming and often affecting journey . ")
        XCTAssertTrue(dev.allSatisfy { $0.textA.hasSuffix(" ") })
        XCTAssertEqual(dev[0].label, .classIndex(1))
        XCTAssertEqual(dev[0].line, 2)
    }

    func testTrainAndTest() throws {
        let directory = try TestPaths.requireGLUE("SST-2")
        let train = try GLUETask.sst2.examples(split: .train, dataDirectory: directory)
        XCTAssertEqual(train.count, 67349)
        XCTAssertEqual(labelCounts(train, task: .sst2), ["1": 37569, "0": 29780])
        let test = try GLUETask.sst2.examples(split: .test, dataDirectory: directory)
        XCTAssertEqual(test.count, 1821)
        XCTAssertTrue(test.allSatisfy { $0.label == nil })
        XCTAssertEqual(test.last?.textA, "dazzling and sugar-sweet , a blast of shallow magnificence that only sex , "
                       + "scandal , and a chorus line of dangerous damsels can deliver .")
    }
}

import DeBERTaGLUE
import XCTest

/// WNLI read from `Tests/References/data/glue/WNLI` (no GLUE-layout train file exists here).
final class WNLIReadTests: XCTestCase {
    func testDevAndTest() throws {
        let directory = try TestPaths.requireGLUE("WNLI")
        let dev = try GLUETask.wnli.examples(split: .dev, dataDirectory: directory)
        XCTAssertEqual(dev.count, 71)
        XCTAssertEqual(labelCounts(dev, task: .wnli), ["0": 40, "1": 31])
        XCTAssertEqual(dev[0].textA, "The drain is clogged with hair. It has to be cleaned.")
        XCTAssertEqual(dev[0].textB, "The hair has to be cleaned.")
        XCTAssertEqual(dev[0].label, .classIndex(0))
        let test = try GLUETask.wnli.examples(split: .test, dataDirectory: directory)
        XCTAssertEqual(test.count, 146)
        XCTAssertTrue(test.allSatisfy { $0.label == nil })
    }
}

import DeBERTaGLUE
import XCTest

/// QNLI has no files here: synthetic files in the real layout.
final class QNLIReadTests: XCTestCase {
    func testSentenceIsSegmentAAndQuestionIsSegmentB() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        try TestPaths.write("index\tquestion\tsentence\tlabel\n"
                            + "0\tWhat came into force after the new constitution was herald?\tAs of that day, the new constitution heralding the Second Republic came into force.\tentailment\n"
                            + "1\tWhat is the first major city in the stream of the Rhine?\tThe most important tributaries in this area are the Ill below of Strasbourg, the Neckar in Mannheim and the Main across from Mainz.\tnot_entailment\n",
                            to: directory, as: "dev.tsv")
        let dev = try GLUETask.qnli.examples(split: .dev, dataDirectory: directory)
        XCTAssertEqual(dev.count, 2)
        XCTAssertEqual(dev[0].textA, "As of that day, the new constitution heralding the Second Republic came into force.")
        XCTAssertEqual(dev[0].textB, "What came into force after the new constitution was herald?")
        // not_entailment = 0, entailment = 1.
        XCTAssertEqual(dev.map(\.label), [.classIndex(1), .classIndex(0)])

        try TestPaths.write("index\tquestion\tsentence\n0\tWho?\tSomeone did.", to: directory, as: "test.tsv")
        let test = try GLUETask.qnli.examples(split: .test, dataDirectory: directory)
        XCTAssertEqual(test[0].textA, "Someone did.")
        XCTAssertEqual(test[0].textB, "Who?")
        XCTAssertNil(test[0].label)
    }
}

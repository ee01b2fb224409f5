import DeBERTaGLUE
import XCTest

/// CoLA read from `Tests/References/data/glue/CoLA`; expected numbers from SOURCES.md and `awk` counts.
final class CoLAReadTests: XCTestCase {
    func testDevRowsLabelsAndQuirks() throws {
        let directory = try TestPaths.requireGLUE("CoLA")
        let dev = try GLUETask.cola.examples(split: .dev, dataDirectory: directory)
        XCTAssertEqual(dev.count, 1043)   // no header: every line is an example
        XCTAssertEqual(labelCounts(dev, task: .cola), ["1": 721, "0": 322])
        XCTAssertEqual(dev[0].line, 1)
        // Line 19 keeps GLUE's typo; A is column 3, there is no B.
        XCTAssertEqual(dev[18].textA, "He could not] have been working.")
        XCTAssertNil(dev[18].textB)
        XCTAssertEqual(dev[18].label, .classIndex(1))
        // Line 684 has a space in the unused author-mark column; the sentence is unaffected.
        XCTAssertEqual(dev[683].textA, "Who always drinks milk?")
        // The file has no final newline: the last line is still read, intact.
        XCTAssertEqual(dev.last?.textA, "John talked to Bill about himself.")
        XCTAssertEqual(dev.last?.guid, "dev-1042")
    }

    func testTestFileHasHeaderAndNoLabels() throws {
        let directory = try TestPaths.requireGLUE("CoLA")
        let test = try GLUETask.cola.examples(split: .test, dataDirectory: directory)
        XCTAssertEqual(test.count, 1063)
        XCTAssertTrue(test.allSatisfy { $0.label == nil && $0.textB == nil })
        XCTAssertEqual(test.last?.textA, "A picture of himself frightened John.")
        XCTAssertEqual(test.first?.line, 2)
    }

    /// No GLUE-layout CoLA train.tsv exists here; CoLA 1.1's raw files have the same headerless layout.
    func testCoLA11RawFilesReadWithTrainAndDevLayout() throws {
        let raw = try TestPaths.requireGLUE("CoLA/cola_public_1.1_raw")
        let train = try GLUETask.cola.examples(split: .train, file: raw.appendingPathComponent("in_domain_train.tsv"))
        XCTAssertEqual(train.count, 8551)
        XCTAssertEqual(labelCounts(train, task: .cola), ["1": 6023, "0": 2528])
        let inDomain = try GLUETask.cola.examples(split: .dev, file: raw.appendingPathComponent("in_domain_dev.tsv"))
        XCTAssertEqual(inDomain.count, 527)
        XCTAssertEqual(labelCounts(inDomain, task: .cola), ["1": 365, "0": 162])
        let outOfDomain = try GLUETask.cola.examples(split: .dev, file: raw.appendingPathComponent("out_of_domain_dev.tsv"))
        XCTAssertEqual(outOfDomain.count, 516)   // no final newline
        XCTAssertEqual(labelCounts(outOfDomain, task: .cola), ["1": 354, "0": 162])
    }
}

import DeBERTaGLUE
import XCTest

/// QQP has no files here: synthetic files in the real layout (header texts from GLUE.md).
final class QQPReadTests: XCTestCase {
    /// A train file with a BOM, CRLF line ends, an unbalanced quote, no final newline and the kind of
    /// broken rows the real train.tsv has (a question with an embedded newline splits one row in two).
    func testTrainSkipsMalformedRowsLikeTheOriginal() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let lines = [
            "\u{FEFF}id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate",
            "0\t1\t2\tHow do I learn Swift?\tWhat is the best way to learn Swift?\t1",
            "1\t3\t4\tWhat does \"quote mean?\t Why is the sky blue?\t0",
            "2\t5\t6\tA question broken",                    // malformed: 4 fields
            "by a newline?\tAnother question\t0",            // malformed: 3 fields
            "3\t7\t8\tToo\tmany\ttabs\there\t1",             // malformed: 7 fields
            "",                                              // malformed: blank line
            "4\t9\t10\tLast one?\tLast two?\t1",
        ]
        try TestPaths.write(lines.joined(separator: "\r\n"), to: directory, as: "train.tsv")
        let train = try GLUETask.qqp.examples(split: .train, dataDirectory: directory)
        XCTAssertEqual(train.count, 3)
        XCTAssertEqual(train.map(\.index), [0, 1, 2])
        XCTAssertEqual(train.map(\.line), [2, 3, 8])
        XCTAssertEqual(train.map(\.guid), ["train-0", "train-1", "train-2"])
        XCTAssertEqual(train[0].textA, "How do I learn Swift?")
        XCTAssertEqual(train[0].textB, "What is the best way to learn Swift?")
        XCTAssertEqual(train[1].textA, "What does \"quote mean?")
        XCTAssertEqual(train[1].textB, " Why is the sky blue?")      // leading space kept
        XCTAssertEqual(train.map(\.label), [.classIndex(1), .classIndex(0), .classIndex(1)])
        XCTAssertEqual(train[2].textB, "Last two?")                  // no final newline, no \r left
    }

    func testDevUsesTheSameLayout() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        try TestPaths.write("id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n"
                            + "201359\t303345\t303346\tWhy are African-Americans so beautiful?\tWhy are hispanics so beautiful?\t0\n",
                            to: directory, as: "dev.tsv")
        let dev = try GLUETask.qqp.examples(split: .dev, dataDirectory: directory)
        XCTAssertEqual(dev.count, 1)
        XCTAssertEqual(dev[0].label, .classIndex(0))
    }

    /// Test rows are never skipped (prediction rows must line up); A and B are the last two fields.
    func testTestFileTakesTheLastTwoFields() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        try TestPaths.write("id\tquestion1\tquestion2\n0\tq one?\tq two?\n1\textra\tq three?\tq four?\n",
                            to: directory, as: "test.tsv")
        let test = try GLUETask.qqp.examples(split: .test, dataDirectory: directory)
        XCTAssertEqual(test.count, 2)
        XCTAssertEqual(test[0].textA, "q one?")
        XCTAssertEqual(test[0].textB, "q two?")
        XCTAssertEqual(test[1].textA, "q three?")
        XCTAssertEqual(test[1].textB, "q four?")
        XCTAssertNil(test[1].label)

        try TestPaths.write("id\tquestion1\tquestion2\n0\tq one?\tq two?\n1\tonly one\n", to: directory, as: "test.tsv")
        XCTAssertThrowsError(try GLUETask.qqp.examples(split: .test, dataDirectory: directory)) { error in
            let error = error as! GLUEError
            XCTAssertEqual(error.kind, .wrongFieldCount)
            XCTAssertEqual(error.line, 3)
        }
    }
}

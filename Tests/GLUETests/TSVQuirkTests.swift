import DeBERTaGLUE
import XCTest

/// The reading rules shared by every task, checked on in-memory files in the RTE and CoLA layouts.
final class TSVQuirkTests: XCTestCase {
    func testBOMCRLFNoFinalNewlineAndUnbalancedQuotes() throws {
        let text = "\u{FEFF}index\tsentence1\tsentence2\tlabel\r\n"
            + "0\t\"An opening quote, never closed\t a comma, a \"\"doubled\"\" quote \tentailment\r\n"
            + "1\t'single' \"\tsecond\"\"\tnot_entailment"
        let examples = try GLUETask.rte.examples(split: .dev, contents: Array(text.utf8), fileName: "dev.tsv")
        XCTAssertEqual(examples.count, 2)
        XCTAssertEqual(examples[0].textA, "\"An opening quote, never closed")
        XCTAssertEqual(examples[0].textB, " a comma, a \"\"doubled\"\" quote ")     // no unquoting, no trimming
        // Labels are not trimmed either: " entailment" is not a label.
        let spaced = text.replacingOccurrences(of: "\tentailment", with: "\t entailment")
        XCTAssertThrowsError(try GLUETask.rte.examples(split: .dev, contents: Array(spaced.utf8), fileName: "dev.tsv")) { error in
            XCTAssertEqual((error as? GLUEError)?.kind, .unknownLabel)
            XCTAssertEqual((error as? GLUEError)?.line, 2)
        }
    }

    func testExactLabelsAndLines() throws {
        let text = "\u{FEFF}index\tsentence1\tsentence2\tlabel\r\n"
            + "0\t\"An opening quote\t a comma, a \"\"doubled\"\" quote \tentailment\r\n"
            + "1\t'single' \"\tsecond\"\"\tnot_entailment"
        let examples = try GLUETask.rte.examples(split: .dev, contents: Array(text.utf8), fileName: "dev.tsv")
        XCTAssertEqual(examples.map(\.label), [.classIndex(1), .classIndex(0)])
        XCTAssertEqual(examples.map(\.line), [2, 3])
        XCTAssertEqual(examples[1].textA, "'single' \"")
        XCTAssertEqual(examples[1].textB, "second\"\"")      // last line: no newline, nothing lost
    }

    func testOnlyATrailingCarriageReturnIsRemoved() throws {
        let text = "sentence\tlabel\r\nin\rside \t1\r\n"
        let examples = try GLUETask.sst2.examples(split: .dev, contents: Array(text.utf8), fileName: "dev.tsv")
        XCTAssertEqual(examples.count, 1)
        XCTAssertEqual(examples[0].textA, "in\rside ")
    }

    func testHeaderlessCoLAWithBOMAndEmptyMarkColumn() throws {
        let text = "\u{FEFF}gj04\t1\t\tOur friends won't buy this analysis, let alone the next one we propose.\n"
            + "gj04\t0\t*\tOne more pseudo generalization and I'm giving up.\n"
        let examples = try GLUETask.cola.examples(split: .dev, contents: Array(text.utf8), fileName: "dev.tsv")
        XCTAssertEqual(examples.count, 2)   // the first line is data, not a header
        XCTAssertEqual(examples.map(\.label), [.classIndex(1), .classIndex(0)])
        XCTAssertEqual(examples[0].line, 1)
    }

    func testNonASCIITextIsKeptExactly() throws {
        let text = "index\tsentence1\tsentence2\tlabel\n0\tCafé „Zürich“ — 東京\t😀 naïve\t0\n"
        let examples = try GLUETask.wnli.examples(split: .dev, contents: Array(text.utf8), fileName: "dev.tsv")
        XCTAssertEqual(examples[0].textA, "Café „Zürich“ — 東京")
        XCTAssertEqual(examples[0].textB, "😀 naïve")
    }

    func testScoresParseLikePythonFloat() throws {
        let header = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
        let text = header + "0\tg\tf\t2012\t1\tnone\tnone\tA.\tB.\t3.800\n1\tg\tf\t2012\t2\tnone\tnone\tC.\tD.\t 4 \n"
        let examples = try GLUETask.stsb.examples(split: .dev, contents: Array(text.utf8), fileName: "dev.tsv")
        XCTAssertEqual(examples.map(\.label), [.score(3.8), .score(4)])
    }

    func testEmptyHeaderlessFileHasNoExamples() throws {
        XCTAssertEqual(try GLUETask.cola.examples(split: .dev, contents: [], fileName: "dev.tsv").count, 0)
    }
}

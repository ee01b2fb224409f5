@testable import DeBERTaFineTuning
import DeBERTaTestSupport
import Foundation
import XCTest

/// Reading CoNLL files: documents, sentences, IOB1 tags as written, unlabelled files, and errors
/// that name the file, line and column.
final class CoNLLFileTests: XCTestCase {
    let labels = NERTask.defaultLabels

    func parse(_ text: String, labels: [String]? = NERTask.defaultLabels) throws -> [CoNLLSentence] {
        try CoNLLFile.parse(Array(text.utf8), path: "train.txt", labels: labels)
    }

    /// The CoNLL-2003 layout (written here, not copied): `-DOCSTART-` lines start documents and are
    /// no words, blank lines end sentences, IOB1 tags are kept as written.
    func testDocumentsSentencesAndIOB1Tags() throws {
        let text = """
        -DOCSTART- -X- O O

        Lufthansa NNP I-NP I-ORG
        flies VBZ I-VP O
        to TO I-PP O
        Lisbon NNP I-NP I-LOC
        Porto NNP I-NP B-LOC
        . . O O

        Ana NNP I-NP I-PER
        -DOCSTART- -X- O O

        Nokia NNP I-NP I-ORG



        """
        let s = try parse(text)
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(s[0].words, ["Lufthansa", "flies", "to", "Lisbon", "Porto", "."])
        XCTAssertEqual(s[0].tags, ["I-ORG", "O", "O", "I-LOC", "B-LOC", "O"])
        XCTAssertEqual(s[0].lines, [3, 4, 5, 6, 7, 8])
        XCTAssertEqual(s.map(\.document), [0, 0, 1])
        XCTAssertEqual(s[1].words, ["Ana"], "a -DOCSTART- line ends the sentence before it")
        XCTAssertEqual(s[2].lines, [13])
        // Their entities, as conlleval counts them: ORG, LOC, LOC (B- splits the two), PER, ORG.
        XCTAssertEqual(EntityMetrics.entities(s.map { $0.tags! }).map(\.type), ["ORG", "LOC", "LOC", "PER", "ORG"])
    }

    /// Tabs, CRLF line ends, a byte-order mark, a file without its last newline, two-column files
    /// and unlabelled one-column files (tags nil).
    func testLayoutsAndUnlabelledFiles() throws {
        let crlf = try parse("\u{FEFF}Oslo\tB-LOC\r\nis\tO\r\n\r\nKyiv\tB-LOC")
        XCTAssertEqual(crlf.map(\.words), [["Oslo", "is"], ["Kyiv"]])
        XCTAssertEqual(crlf.map(\.tags), [["B-LOC", "O"], ["B-LOC"]])
        let unlabelled = try parse("-DOCSTART-\n\nOslo\nis\n\nKyiv\n")
        XCTAssertEqual(unlabelled.map(\.words), [["Oslo", "is"], ["Kyiv"]])
        XCTAssertTrue(unlabelled.allSatisfy { $0.tags == nil })
        XCTAssertEqual(try parse("").count, 0)
        // Without a label set, any tag is kept.
        XCTAssertEqual(try parse("Oslo B-GPE\n", labels: nil)[0].tags, ["B-GPE"])
    }

    func checkError(_ text: [UInt8], _ kind: TaskDataError.Kind, _ description: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try CoNLLFile.parse(text, path: "data/train.txt", labels: labels), file: file, line: line) { error in
            guard let e = error as? TaskDataError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.kind, kind, file: file, line: line)
            XCTAssertEqual(e.description, description, file: file, line: line)
        }
    }

    /// A wrong column count, invalid UTF-8 and an unknown tag name the file, the line and (where
    /// the problem is at one place) the column.
    func testErrorsNameFileLineAndColumn() throws {
        checkError(Array("Oslo NNP I-NP B-LOC\nis VBZ I-VP O\n\nKyiv NNP B-LOC\n".utf8), .wrongColumnCount,
                   "data/train.txt:4: 3 columns, but the file's first word line (line 1) has 4")
        checkError([0x4F, 0x20, 0x4F, 0x0A, 0x61, 0xC3, 0xA9, 0xFF, 0x20, 0x4F, 0x0A], .invalidUTF8,
                   "data/train.txt:2:3: invalid UTF-8 (byte 0xFF)")
        checkError(Array("Oslo NNP I-NP B-LOC\nis VBZ I-VP B-GPE\n".utf8), .unknownLabel,
                   "data/train.txt:2:13: unknown tag \"B-GPE\" (known: O, B-MISC, I-MISC, B-PER, I-PER, B-ORG, I-ORG, B-LOC, I-LOC)")
        XCTAssertThrowsError(try CoNLLFile.read(URL(fileURLWithPath: "/nonexistent/valid.txt"))) { error in
            XCTAssertEqual("\(error)", "/nonexistent/valid.txt: no such file")
        }
    }
}

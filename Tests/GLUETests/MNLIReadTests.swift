import DeBERTaGLUE
import XCTest

/// MNLI has no files here: synthetic files in the real layouts (train 12, dev 16, test 10 fields).
final class MNLIReadTests: XCTestCase {
    static let trainHeader = "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\t"
        + "sentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tgold_label"
    static let devHeader = "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\t"
        + "sentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label"
    static let testHeader = "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\t"
        + "sentence1_parse\tsentence2_parse\tsentence1\tsentence2"

    static func row(_ index: Int, genre: String, premise: String, hypothesis: String, labels: [String]) -> String {
        ([String(index), "31193", "31193n", genre, "( ( parse ) )", "( parse )", "(ROOT (S))", "(ROOT (S))",
          premise, hypothesis] + labels).joined(separator: "\t")
    }

    func testTrainAndDevLabelsInOriginalOrder() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        try TestPaths.write([
            Self.trainHeader,
            Self.row(0, genre: "government", premise: "Conceptually cream skimming has two basic dimensions.",
                     hypothesis: "Product and geography are what make cream skimming work. ", labels: ["neutral", "neutral"]),
            Self.row(1, genre: "telephone", premise: "you know during the season \"and i guess",
                     hypothesis: "You lose the things to the following level.", labels: ["entailment", "entailment"]),
            Self.row(2, genre: "fiction", premise: "One of our number will carry out your instructions.",
                     hypothesis: "A member of my team will execute your orders.", labels: ["contradiction", "contradiction"]),
        ].joined(separator: "\n") + "\n", to: directory, as: "train.tsv")
        let train = try GLUETask.mnli.examples(split: .train, dataDirectory: directory)
        XCTAssertEqual(train.count, 3)
        // contradiction = 0, neutral = 1, entailment = 2 (the released -mnli checkpoints' order).
        XCTAssertEqual(train.map(\.label), [.classIndex(1), .classIndex(2), .classIndex(0)])
        XCTAssertEqual(train.map(\.genre), ["government", "telephone", "fiction"])
        XCTAssertEqual(train[0].textB, "Product and geography are what make cream skimming work. ")
        XCTAssertEqual(train[1].textA, "you know during the season \"and i guess")

        // Dev: 16 fields; the label is the last (gold_label), not label1. BOM, CRLF, no final newline.
        try TestPaths.write("\u{FEFF}" + [
            Self.devHeader,
            Self.row(0, genre: "slate", premise: "P0", hypothesis: "H0",
                     labels: ["neutral", "entailment", "neutral", "neutral", "neutral", "neutral"]),
            Self.row(1, genre: "travel", premise: "P1", hypothesis: "H1",
                     labels: ["contradiction", "contradiction", "entailment", "contradiction", "contradiction", "entailment"]),
        ].joined(separator: "\r\n"), to: directory, as: "dev_mismatched.tsv")
        let dev = try GLUETask.mnli.examples(split: .devMismatched, dataDirectory: directory)
        XCTAssertEqual(dev.map(\.label), [.classIndex(1), .classIndex(2)])
        XCTAssertEqual(dev.map(\.guid), ["dev_mismatched-0", "dev_mismatched-1"])
        XCTAssertEqual(dev.map(\.genre), ["slate", "travel"])   // no stray \r in the last field's label either
    }

    func testTestFilesAndFieldCountMustMatchHeader() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        try TestPaths.write([
            Self.testHeader,
            Self.row(0, genre: "fiction", premise: "Premise.", hypothesis: "Hypothesis.", labels: []),
        ].joined(separator: "\n") + "\n", to: directory, as: "test_matched.tsv")
        let test = try GLUETask.mnli.examples(split: .testMatched, dataDirectory: directory)
        XCTAssertEqual(test.count, 1)
        XCTAssertNil(test[0].label)
        XCTAssertEqual(test[0].genre, "fiction")

        // A dev row with 15 fields under a 16-field header: an error, not a shifted label.
        try TestPaths.write([
            Self.devHeader,
            Self.row(0, genre: "slate", premise: "P", hypothesis: "H", labels: ["neutral", "neutral", "neutral", "neutral", "neutral"]),
        ].joined(separator: "\n"), to: directory, as: "dev_matched.tsv")
        XCTAssertThrowsError(try GLUETask.mnli.examples(split: .devMatched, dataDirectory: directory)) { error in
            let error = error as! GLUEError
            XCTAssertEqual(error.kind, .wrongFieldCount)
            XCTAssertEqual(error.line, 2)
            XCTAssertTrue(error.message.contains("16 (as many as the header)"), error.message)
        }
    }

    func testUnknownGoldLabelIsAnError() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        try TestPaths.write([
            Self.trainHeader,
            Self.row(0, genre: "slate", premise: "P", hypothesis: "H", labels: ["neutral", "-"]),
        ].joined(separator: "\n"), to: directory, as: "train.tsv")
        XCTAssertThrowsError(try GLUETask.mnli.examples(split: .train, dataDirectory: directory)) { error in
            let error = error as! GLUEError
            XCTAssertEqual(error.kind, .unknownLabel)
            XCTAssertEqual(error.line, 2)
            XCTAssertTrue(error.description.contains("train.tsv:2: label \"-\""), error.description)
        }
    }
}

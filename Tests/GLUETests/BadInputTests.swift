import DeBERTaGLUE
import XCTest

/// Malformed input gives a `GLUEError` naming the file and line — never a crash or a wrong example.
final class BadInputTests: XCTestCase {
    private func expectError(_ kind: GLUEError.Kind, line: Int?, file: String? = nil, mentioning words: [String] = [],
                             _ body: () throws -> Any, sourceLine: UInt = #line) {
        XCTAssertThrowsError(try body(), line: sourceLine) { error in
            guard let error = error as? GLUEError else {
                return XCTFail("not a GLUEError: \(error)", line: sourceLine)
            }
            XCTAssertEqual(error.kind, kind, error.description, line: sourceLine)
            XCTAssertEqual(error.line, line, error.description, line: sourceLine)
            if let file { XCTAssertEqual(error.file, file, line: sourceLine) }
            for word in words {
                XCTAssertTrue(error.description.contains(word), "\"\(error.description)\" lacks \"\(word)\"", line: sourceLine)
            }
            print("expected error: \(error)")
        }
    }

    func testRTERowWithTooManyFields() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let url = try TestPaths.write("index\tsentence1\tsentence2\tlabel\n0\tA.\tB.\tentailment\n1\tA\tstray tab.\tB.\tentailment\n",
                                      to: directory, as: "dev.tsv")
        expectError(.wrongFieldCount, line: 3, file: url.path,
                    mentioning: ["dev.tsv:3:", "5 tab-separated fields", "exactly 4", "RTE dev"]) {
            try GLUETask.rte.examples(split: .dev, dataDirectory: directory)
        }
    }

    func testRTERowWithTooFewFieldsAndBlankLine() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        try TestPaths.write("index\tsentence1\tsentence2\tlabel\n0\tA.\tentailment\n", to: directory, as: "train.tsv")
        expectError(.wrongFieldCount, line: 2, mentioning: ["3 tab-separated fields"]) {
            try GLUETask.rte.examples(split: .train, dataDirectory: directory)
        }
        try TestPaths.write("index\tsentence1\tsentence2\tlabel\n0\tA.\tB.\tentailment\n\n1\tA.\tB.\tentailment\n",
                            to: directory, as: "train.tsv")
        expectError(.wrongFieldCount, line: 3, mentioning: ["1 tab-separated field,"]) {
            try GLUETask.rte.examples(split: .train, dataDirectory: directory)
        }
    }

    func testWrongHeader() throws {
        expectError(.wrongFieldCount, line: 1, mentioning: ["test.tsv:1:", "header has 4"]) {
            // An RTE dev file passed as the test split.
            try GLUETask.rte.examples(split: .test, contents: Array("index\tsentence1\tsentence2\tlabel\n".utf8),
                                      fileName: "test.tsv")
        }
    }

    func testInvalidUTF8NamesFileAndLine() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        var bytes = Array("index\tsentence1\tsentence2\tlabel\n0\tfine\tfine\t0\n1\tbad ".utf8)
        bytes += [0xC3, 0x28]            // an invalid 2-byte sequence
        bytes += Array(" text\tB\t1\n".utf8)
        let url = try TestPaths.write(bytes, to: directory, as: "dev.tsv")
        expectError(.invalidUTF8, line: 3, file: url.path, mentioning: ["dev.tsv:3:", "not valid UTF-8", "byte 7"]) {
            try GLUETask.wnli.examples(split: .dev, dataDirectory: directory)
        }
        // A truncated multi-byte character at the very end of a file without a final newline.
        expectError(.invalidUTF8, line: 2) {
            try GLUETask.sst2.examples(split: .test, contents: Array("index\tsentence\n0\tend ".utf8) + [0xE2, 0x82],
                                       fileName: "test.tsv")
        }
    }

    func testUnknownTaskName() {
        expectError(.unknownTask, line: nil, mentioning: ["\"mnli-mm\"", "sst-2", "sts-b"]) {
            try GLUETask(name: "mnli-mm")
        }
        expectError(.unknownTask, line: nil) { try GLUETask(name: "") }
    }

    func testMissingFileAndDirectory() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        expectError(.fileNotFound, line: nil, file: directory.appendingPathComponent("dev.tsv").path,
                    mentioning: ["dev.tsv: file not found"]) {
            try GLUETask.mrpc.examples(split: .dev, dataDirectory: directory)
        }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("test.tsv"),
                                                withIntermediateDirectories: false)
        expectError(.ioFailure, line: nil, mentioning: ["is a directory"]) {
            try GLUETask.mrpc.examples(split: .test, dataDirectory: directory)
        }
    }

    func testUnknownSplit() {
        expectError(.unknownSplit, line: nil, mentioning: ["MNLI has no dev split", "dev_matched"]) {
            try GLUETask.mnli.examples(split: .dev, dataDirectory: URL(fileURLWithPath: "/nonexistent"))
        }
    }

    func testUnknownLabelAndBadScore() {
        expectError(.unknownLabel, line: 2, mentioning: ["dev.tsv:2:", "\"maybe\"", "RTE labels \"not_entailment\", \"entailment\""]) {
            try GLUETask.rte.examples(split: .dev, contents: Array("index\tsentence1\tsentence2\tlabel\n0\tA\tB\tmaybe\n".utf8),
                                      fileName: "dev.tsv")
        }
        let header = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
        for bad in ["abc", "nan", "inf", ""] {
            expectError(.invalidScore, line: 2, mentioning: ["score \"\(bad)\""]) {
                try GLUETask.stsb.examples(split: .train,
                                           contents: Array((header + "0\tg\tf\t2012\t1\tn\tn\tA.\tB.\t\(bad)\n").utf8),
                                           fileName: "train.tsv")
            }
        }
    }

    func testEmptyFileNeedingAHeader() {
        expectError(.missingHeader, line: nil, mentioning: ["dev.tsv: file is empty"]) {
            try GLUETask.mrpc.examples(split: .dev, contents: [], fileName: "dev.tsv")
        }
    }
}

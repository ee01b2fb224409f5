import Foundation
import DeBERTaTokenizers
import XCTest
@testable import DeBERTaPretraining

/// `prepare-data` against the output of the original algorithm made with sentencepiece in Python.
final class PrepareDataTests: XCTestCase {
    func testOutputMatchesOriginalAlgorithm() throws {
        let tokenizer = try v3Tokenizer()
        let dir = try temporaryFolder(self)
        let expected = try String(contentsOf: resources.appendingPathComponent("prepare_expected.txt"), encoding: .utf8)
        XCTAssertEqual(expected.split(separator: "\n").count, 10)
        // Default buffers, then tiny ones that put chunk and batch boundaries everywhere
        // (inside "\r\n", inside multi-byte characters, between lines).
        for (chunk, batch) in [(1 << 20, 1 << 18), (7, 10), (1, 1), (3, 1000)] {
            var preparation = try CorpusPreparation(tokenizer: tokenizer, maxSequenceLength: 16)
            preparation.chunkSize = chunk
            preparation.batchBytes = batch
            let out = dir.appendingPathComponent("train-\(chunk)-\(batch).txt")
            let summary = try preparation.prepare(inputs: [resources.appendingPathComponent("prepare_input.txt")], output: out)
            XCTAssertEqual(try String(contentsOf: out, encoding: .utf8), expected, "chunk \(chunk), batch \(batch)")
            XCTAssertEqual(summary.outputLines, 10)
            XCTAssertEqual(summary.inputLines, 11)
            XCTAssertEqual(summary.pieces, 9 * 14 + 4)
        }
    }

    /// Several inputs are one stream: lines continue across file boundaries.
    func testInputsFormOneStream() throws {
        let tokenizer = try v3Tokenizer()
        let dir = try temporaryFolder(self)
        let a = dir.appendingPathComponent("a.txt"), b = dir.appendingPathComponent("b.txt")
        try "one two three".write(to: a, atomically: true, encoding: .utf8)
        try "four five\n".write(to: b, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.txt")
        try CorpusPreparation(tokenizer: tokenizer, maxSequenceLength: 6).prepare(inputs: [a, b], output: out)
        let pieces = tokenizer.tokenize("one two three") + tokenizer.tokenize("four five")
        let lines = stride(from: 0, to: pieces.count, by: 4).map { pieces[$0..<min($0 + 4, pieces.count)].joined(separator: " ") }
        XCTAssertEqual(try String(contentsOf: out, encoding: .utf8), lines.joined(separator: "\n") + "\n")
    }

    func testErrorsNameTheFile() throws {
        let tokenizer = try v3Tokenizer()
        let dir = try temporaryFolder(self)
        let bad = dir.appendingPathComponent("bad.txt")
        try Data([0x61, 0x0A, 0x62, 0xFF, 0x63, 0x0A]).write(to: bad)
        let out = dir.appendingPathComponent("out.txt")
        XCTAssertThrowsError(try CorpusPreparation(tokenizer: tokenizer, maxSequenceLength: 16).prepare(inputs: [bad], output: out)) { error in
            XCTAssertEqual("\(error)", "\(bad.path): line 2 is not valid UTF-8")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "no partial output after a failure")
        XCTAssertThrowsError(try CorpusPreparation(tokenizer: tokenizer, maxSequenceLength: 2))
        XCTAssertThrowsError(try CorpusPreparation(tokenizer: tokenizer, maxSequenceLength: 16).prepare(inputs: [dir.appendingPathComponent("missing.txt")], output: out)) { error in
            XCTAssertTrue("\(error)".contains("missing.txt"), "\(error)")
        }
    }

    /// Reading back: lines longer than one character (newline included) are examples, split on whitespace.
    func testPreparedCorpusIndex() throws {
        let dir = try temporaryFolder(self)
        let file = dir.appendingPathComponent("data.txt")
        try Data("▁a b\n\nx\n\r\n  \n é\r▁last  piece".utf8).write(to: file)
        let corpus = try PreparedCorpus(url: file)
        // "▁a b\n" yes, "\n" no, "x\n" yes, "\r\n" no, "  \n" yes, " é\r" yes, "▁last  piece" yes
        XCTAssertEqual(corpus.count, 5)
        XCTAssertEqual(try corpus.pieces(0), ["▁a", "b"])
        XCTAssertEqual(try corpus.pieces(1), ["x"])
        XCTAssertEqual(try corpus.pieces(2), [])
        XCTAssertEqual(try corpus.pieces(3), ["é"])
        XCTAssertEqual(try corpus.pieces(4), ["▁last", "piece"])
        // A line longer than the indexer's 1 MiB reads, ending in a "\r\n" split across two reads.
        let long = dir.appendingPathComponent("long.txt")
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: (1 << 20) - 1) + Array("\r\nb c\r\n".utf8)
        bytes[10] = UInt8(ascii: " ")
        try Data(bytes).write(to: long)
        let split = try PreparedCorpus(url: long)
        XCTAssertEqual(split.count, 2)
        XCTAssertEqual(try split.pieces(0).map(\.count), [10, (1 << 20) - 12])
        XCTAssertEqual(try split.pieces(1), ["b", "c"])
        let empty = dir.appendingPathComponent("empty.txt")
        try Data("\n\n".utf8).write(to: empty)
        XCTAssertThrowsError(try PreparedCorpus(url: empty)) { XCTAssertTrue("\($0)".contains("no examples"), "\($0)") }
    }
}

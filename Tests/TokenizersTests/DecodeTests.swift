import Foundation
import XCTest
@testable import DeBERTaTokenizers

/// decode(encode(x)) must equal the reference decoders' output on every reference record.
///
/// The expected strings come from Scripts/make_tokenizer_fixtures.py: the original DeBERTa decoders
/// (v1: byte-level, lossless; v3: sentencepiece `decode_pieces` without the special tokens, as
/// `SPMTokenizer.decode` does). Only records whose decoded text differs from the default
/// expectation (`defaultExpectation`) are stored in Tests/References/tokenizers/decoded.*.jsonl.
final class DecodeTests: XCTestCase {
    struct Exception: Decodable {
        let record: Int
        let decoded: String
    }

    func exceptions(_ name: String) throws -> [Int: String] {
        let data = try Data(contentsOf: TestData.fixtures.appendingPathComponent("decoded.\(name).jsonl"))
        var out: [Int: String] = [:]
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            let row = try JSONDecoder().decode(Exception.self, from: Data(line))
            out[row.record] = row.decoded
        }
        XCTAssertEqual(out.count, ["v1": 0, "v3": 266, "spm-test": 659][name], "rows of decoded.\(name).jsonl")
        return out
    }

    /// Python's `" ".join(s.split())`.
    static func collapseWhitespace(_ text: String) -> String {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if Tokenizer.isPythonSpace(scalar.value) {
                if !current.isEmpty { words.append(String(current)); current = String.UnicodeScalarView() }
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words.joined(separator: " ")
    }

    /// Mirrors `expected_default` in the fixture script.
    static func defaultExpectation(byteLevel: Bool, _ record: TestData.Record) -> String {
        if byteLevel { return record.text + (record.text_b ?? "") }
        let a = collapseWhitespace(record.text)
        guard let textB = record.text_b else { return a }
        let b = collapseWhitespace(textB)
        if !a.isEmpty { return b.isEmpty ? a : a + " " + b }
        return b.isEmpty ? "" : " " + b
    }

    func check(_ tokenizer: Tokenizer, reference: URL, fixture: String, byteLevel: Bool, label: String) throws {
        let records = try TestData.records(reference)
        let expected = try exceptions(fixture)
        var matched = 0
        var failures: [String] = []
        for (index, record) in records.enumerated() {
            let encoding = try tokenizer.encode(record.text, pair: record.text_b)
            let decoded = tokenizer.decode(encoding.inputIds)
            let want = expected[index + 1] ?? DecodeTests.defaultExpectation(byteLevel: byteLevel, record)
            if decoded == want && decoded.unicodeScalars.elementsEqual(want.unicodeScalars) {
                matched += 1
            } else if failures.count < 5 {
                failures.append("record \(index + 1): expected \(String(reflecting: want)) got \(String(reflecting: decoded))")
            }
        }
        print("\(label): decode(encode(x)) identical on \(matched)/\(records.count) records")
        XCTAssertEqual(matched, records.count, failures.joined(separator: "\n"))
    }

    func testV1RoundTrip() throws {
        try check(try Loaded.v1HF(), reference: TestData.v1.appendingPathComponent("reference.jsonl"), fixture: "v1",
                  byteLevel: true, label: "v1")
    }

    func testV3RoundTrip() throws {
        try check(try Loaded.v3(), reference: TestData.v3.appendingPathComponent("reference.jsonl"), fixture: "v3",
                  byteLevel: false, label: "v3")
    }

    func testSentencePieceTestModelRoundTrip() throws {
        try check(try Loaded.spmTestModel(), reference: TestData.spmTests.appendingPathComponent("reference.jsonl"),
                  fixture: "spm-test", byteLevel: false, label: "test_model.model")
    }

    func testDecodeKeepsSpecialTokensWhenAsked() throws {
        let v3 = try Loaded.v3()
        let encoding = try v3.encode("Hello world! [MASK] ok", pair: nil, splitSpecialTokens: true)
        // HF (transformers 4.57.6 slow) prints "[CLS] Hello world[UNK][MASK] ok[SEP]".
        XCTAssertEqual(v3.decode(encoding.inputIds, skipSpecialTokens: false), "[CLS] Hello world[UNK][MASK] ok[SEP]")
        XCTAssertEqual(v3.decode(encoding.inputIds), "Hello world ok")
        let v1 = try Loaded.v1HF()
        XCTAssertEqual(v1.decode([1, 37691, 558, 2], skipSpecialTokens: false), "[CLS] Hello [SEP]")
    }

    func testByteLevelDecodeOfPartialCharacters() throws {
        let v1 = try Loaded.v1HF()
        // "é" is two bytes; a token holding only its first byte decodes to U+FFFD, as Python's
        // bytes.decode("utf-8", errors="replace") does.
        let lead = try XCTUnwrap(v1.id(for: "Ã"))  // byte 0xC3
        XCTAssertEqual(v1.decode([lead]), "\u{FFFD}")
        XCTAssertEqual(v1.decode([lead, try XCTUnwrap(v1.id(for: "©"))]), "é")
        XCTAssertEqual(v1.decode([Int.max, -1, 999_999]), "")
    }
}

import Foundation
import XCTest
@testable import DeBERTaTokenizers

/// Folders that ship only a Hugging Face `tokenizer.json` (files made by Scripts/make_tokenizer_fixtures.py).
final class TokenizerJSONTests: XCTestCase {
    /// The fast-tokenizer file converted from deberta-v3-style/ must give the reference ids
    /// (the original SentencePiece behaviour, not the fast tokenizer's).
    func testUnigramTokenizerJSONMatchesReference() throws {
        let url = TestData.fixtures.appendingPathComponent("v3-style.tokenizer.json")
        let tokenizer = try Tokenizer(tokenizerJSON: url)
        XCTAssertEqual(tokenizer.kind, .sentencePiece)
        XCTAssertEqual(tokenizer.specialTokenIds, SpecialTokenIds(pad: 0, cls: 1, sep: 2, unk: 3, mask: 8000))
        let records = try TestData.records(TestData.v3.appendingPathComponent("reference.jsonl"))
        var matched = 0
        for record in records {
            let encoding = try tokenizer.encode(record.text, pair: record.text_b)
            if encoding.inputIds == record.input_ids && encoding.tokenTypeIds == record.token_type_ids { matched += 1 }
        }
        print("v3-style tokenizer.json: \(matched)/\(records.count) records identical")
        XCTAssertEqual(matched, records.count)
    }

    /// A reduced byte-level BPE vocabulary, loaded through `Tokenizer.load(directory:)` from a folder
    /// that has only tokenizer.json, against the slow DebertaTokenizer on the same vocabulary (HF mode:
    /// literal special-token strings are split out).
    func testByteLevelTokenizerJSONFolder() throws {
        let folder = TestData.fixtures.appendingPathComponent("v1-small")
        let tokenizer = try Tokenizer.load(directory: folder)
        XCTAssertEqual(tokenizer.kind, .byteLevelBPE)
        XCTAssertEqual(tokenizer.specialTokenIds.pad, 0)
        XCTAssertEqual(tokenizer.specialTokenIds.cls, 1)
        XCTAssertEqual(tokenizer.specialTokenIds.mask, tokenizer.vocabularySize - 1)
        struct Expected: Decodable { let record: Int; let input_ids: [Int]; let token_type_ids: [Int] }
        let records = try TestData.records(TestData.v1.appendingPathComponent("reference.jsonl"))
        let data = try Data(contentsOf: TestData.fixtures.appendingPathComponent("v1-small.expected.jsonl"))
        var matched = 0, total = 0
        var failures: [String] = []
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            let expected = try JSONDecoder().decode(Expected.self, from: Data(line))
            let record = records[expected.record - 1]
            // The expected ids come from HF's slow tokenizer, which splits literal special tokens.
            let encoding = try tokenizer.encode(record.text, pair: record.text_b, splitSpecialTokens: true)
            total += 1
            if encoding.inputIds == expected.input_ids && encoding.tokenTypeIds == expected.token_type_ids {
                matched += 1
            } else if failures.count < 3 {
                failures.append("record \(expected.record): expected \(expected.input_ids) got \(encoding.inputIds)")
            }
            let plain = try tokenizer.encode(record.text, pair: record.text_b)
            XCTAssertEqual(tokenizer.decode(plain.inputIds), record.text + (record.text_b ?? ""))
        }
        print("v1-small tokenizer.json: \(matched)/\(total) records identical")
        XCTAssertEqual(matched, total, failures.joined(separator: "\n"))
        XCTAssertEqual(total, 704, "rows of v1-small.expected.jsonl")
        // [MASK] keeps its lstrip flag from the file.
        let mask = try tokenizer.encode("is [MASK].", pair: nil, splitSpecialTokens: true)
        XCTAssertEqual(mask.inputIds[2], tokenizer.specialTokenIds.mask)
    }
}

import Foundation
import XCTest
@testable import DeBERTaTokenizers

/// SentencePiece options DeBERTa's model does not use, against sentencepiece itself on two small
/// models made by Scripts/make_sentencepiece_variants.py: byte fallback, user-defined and control
/// symbols, UNUSED pieces, split digits (a); no dummy prefix, extra whitespace kept, whitespace as
/// suffix (b).
final class SentencePieceOptionsTests: XCTestCase {
    struct Row: Decodable { let record: Int; let suffix: Bool; let a: [Int]; let b: [Int] }

    func testVariantsMatchSentencePiece() throws {
        let a = try Tokenizer(sentencePieceModel: TestData.fixtures.appendingPathComponent("spm-variant-a.model"))
        let b = try Tokenizer(sentencePieceModel: TestData.fixtures.appendingPathComponent("spm-variant-b.model"))
        let records = try TestData.records(TestData.v3.appendingPathComponent("reference.jsonl"))
        let data = try Data(contentsOf: TestData.fixtures.appendingPathComponent("spm-variants.expected.jsonl"))
        var matchedA = 0, matchedB = 0, total = 0
        var failures: [String] = []
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            let row = try JSONDecoder().decode(Row.self, from: Data(line))
            let text = records[row.record - 1].text + (row.suffix ? " <mask> abc<ctl> the 2024 " : "")
            total += 1
            let idsA = try a.encode(text, pair: nil, addSpecialTokens: false).inputIds
            let idsB = try b.encode(text, pair: nil, addSpecialTokens: false).inputIds
            if idsA == row.a { matchedA += 1 } else if failures.count < 4 {
                failures.append("a, record \(row.record) \(String(reflecting: text)): expected \(row.a) got \(idsA)")
            }
            if idsB == row.b { matchedB += 1 } else if failures.count < 4 {
                failures.append("b, record \(row.record) \(String(reflecting: text)): expected \(row.b) got \(idsB)")
            }
        }
        print("sentencepiece variants: a \(matchedA)/\(total), b \(matchedB)/\(total) identical")
        XCTAssertEqual(total, 327, "rows of spm-variants.expected.jsonl")
        XCTAssertEqual(matchedA, total, failures.joined(separator: "\n"))
        XCTAssertEqual(matchedB, total, failures.joined(separator: "\n"))
    }

    func testByteFallbackRoundTrip() throws {
        let a = try Tokenizer(sentencePieceModel: TestData.fixtures.appendingPathComponent("spm-variant-a.model"))
        for text in ["日本語 テキスト", "emoji 🙂 and ÿ", "plain words here"] {
            let ids = try a.encode(text, pair: nil, addSpecialTokens: false).inputIds
            XCTAssertFalse(ids.contains(0), "byte fallback never yields <unk>")
            XCTAssertEqual(a.decode(ids), text)
        }
    }
}

import XCTest
@testable import DeBERTaTokenizers

/// Every record of every reference file must match exactly (input ids and token type ids).
final class ReferenceTests: XCTestCase {
    /// Compares all records; reports the first few mismatches and the match count.
    func check(_ tokenizer: Tokenizer, _ file: URL, splitSpecialTokens: Bool = false, label: String) throws {
        let records = try TestData.records(file)
        XCTAssertFalse(records.isEmpty)
        var matched = 0
        var failures: [String] = []
        for (index, record) in records.enumerated() {
            let encoding = try tokenizer.encode(record.text, pair: record.text_b, splitSpecialTokens: splitSpecialTokens)
            if encoding.inputIds == record.input_ids && encoding.tokenTypeIds == record.token_type_ids {
                matched += 1
            } else if failures.count < 5 {
                failures.append("record \(index + 1) \(String(reflecting: record.text)) / \(String(reflecting: record.text_b)): expected \(record.input_ids) got \(encoding.inputIds)")
            }
        }
        print("\(label): \(matched)/\(records.count) records identical")
        XCTAssertEqual(matched, records.count, "\(label) mismatches:\n" + failures.joined(separator: "\n"))
    }

    func testV1HuggingFaceFolder() throws {
        try check(try Loaded.v1HF(), TestData.v1.appendingPathComponent("reference.jsonl"), label: "v1 vocab.json+merges.txt")
    }

    func testV1OriginalZipBPEEncoder() throws {
        try check(try Loaded.v1Original("bpe_encoder.bin"), TestData.v1.appendingPathComponent("reference.jsonl"),
                  label: "v1 bpe_encoder.bin (zip)")
    }

    func testV1OriginalLegacyBPEEncoder() throws {
        try check(try Loaded.v1Original("bpe_encoder.legacy.bin"), TestData.v1.appendingPathComponent("reference.jsonl"),
                  label: "v1 bpe_encoder.legacy.bin")
    }

    /// The original file and the HF files describe the same tokenizer: same ids for every token.
    func testV1OriginalAndHuggingFaceVocabulariesAgree() throws {
        let original = try Loaded.v1Original()
        let hf = try Loaded.v1HF()
        XCTAssertEqual(original.specialTokenIds, SpecialTokenIds(pad: 0, cls: 1, sep: 2, unk: 3, mask: 50264))
        XCTAssertEqual(hf.specialTokenIds, original.specialTokenIds)
        XCTAssertEqual(original.vocabularySize, 50265)
        for id in 0..<original.vocabularySize {
            XCTAssertEqual(original.token(for: id), hf.token(for: id), "id \(id)")
        }
        XCTAssertEqual(original.tokenize("Hello world!"), ["Hello", "Ġworld", "!"])
        XCTAssertEqual(original.encode("Hello world!").inputIds, [1, 26015, 214, 1240, 2])
        XCTAssertEqual(original.encode(" Hello world").inputIds, [1, 37691, 214, 2])
    }

    func testV1HuggingFaceSplitSpecial() throws {
        try check(try Loaded.v1HF(), TestData.v1.appendingPathComponent("reference.hf-split-special.jsonl"),
                  splitSpecialTokens: true, label: "v1 HF split-special")
    }

    func testV3SentencePiece() throws {
        try check(try Loaded.v3(), TestData.v3.appendingPathComponent("reference.jsonl"), label: "v3 spm.model")
    }

    func testV3SplitSpecial() throws {
        try check(try Loaded.v3(), TestData.v3.appendingPathComponent("reference.hf-split-special.jsonl"),
                  splitSpecialTokens: true, label: "v3 HF split-special")
    }

    func testSentencePieceTestModel() throws {
        try check(try Loaded.spmTestModel(), TestData.spmTests.appendingPathComponent("reference.jsonl"), label: "sentencepiece test_model.model")
    }
}

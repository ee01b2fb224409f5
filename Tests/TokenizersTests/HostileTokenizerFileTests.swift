import DeBERTaPythonCompat
import DeBERTaTestSupport
import Foundation
import XCTest
@testable import DeBERTaTokenizers

/// Token ids in tokenizer files that no 32-bit id tensor can hold, or that would make a table of
/// billions of entries: errors naming the file (issue 19: an added-token id of 9223372036854775807
/// ended in "Swift runtime failure: arithmetic overflow").
final class HostileTokenizerFileTests: XCTestCase {
    /// A copy of `folder` in a temporary directory, with `files` written over it.
    func copy(_ folder: URL, writing files: [String: Data]) throws -> URL {
        let target = try makeTemporaryDirectory().appendingPathComponent(folder.lastPathComponent)
        try FileManager.default.copyItem(at: folder, to: target)
        for (name, data) in files { try data.write(to: target.appendingPathComponent(name)) }
        return target
    }

    func assertRefused(_ folder: URL, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Tokenizer.load(directory: folder), file: file, line: line) { error in
            for fragment in fragments {
                XCTAssertTrue("\(error)".contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
            }
        }
    }

    func testAddedTokenIdsBeyondThirtyTwoBitsAreRefused() throws {
        let huge = try copy(TestData.v3, writing: ["added_tokens.json": Data(#"{"[MASK]": 9223372036854775807}"#.utf8)])
        assertRefused(huge, ["added_tokens.json: the id of \"[MASK]\" is 9223372036854775807, beyond the largest token id 2147483646 (ids are 32-bit)"])
        let justOver = try copy(TestData.v1, writing: ["added_tokens.json": Data(#"{"<extra>": 2147483647}"#.utf8)])
        assertRefused(justOver, ["added_tokens.json: the id of \"<extra>\" is 2147483647"])
        // Beyond 64 bits the number is not an integer at all.
        let beyond = try copy(TestData.v3, writing: ["added_tokens.json": Data(#"{"[MASK]": 92233720368547758070}"#.utf8)])
        assertRefused(beyond, ["added_tokens.json: the id of \"[MASK]\" is not a non-negative integer"])
        // The largest valid id still loads: the vocabulary size is one more.
        let largest = try copy(TestData.v1, writing: ["added_tokens.json": Data(#"{"<extra>": 2147483646}"#.utf8)])
        XCTAssertEqual(try Tokenizer.load(directory: largest).vocabularySize, Int(Int32.max))
    }

    func testAddedTokensDecoderIdsBeyondThirtyTwoBitsAreRefused() throws {
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: TestData.v3.appendingPathComponent("tokenizer_config.json"))) as! [String: Any]
        var changed = config
        changed["added_tokens_decoder"] = ["9223372036854775807": ["content": "[HUGE]", "special": true]]
        let folder = try copy(TestData.v3, writing: ["tokenizer_config.json": try JSONSerialization.data(withJSONObject: changed)])
        assertRefused(folder, ["tokenizer_config.json: the added_tokens_decoder id of \"[HUGE]\" is 9223372036854775807"])
    }

    func testTokenizerJSONAddedTokenIdBeyondThirtyTwoBitsIsRefused() throws {
        let folder = TestData.fixtures.appendingPathComponent("v1-small")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("tokenizer.json"))) as! [String: Any]
        var added = json["added_tokens"] as! [[String: Any]]
        added.append(["id": 9223372036854775807, "content": "[HUGE]", "special": true, "lstrip": false, "rstrip": false])
        json["added_tokens"] = added
        let hostile = try copy(folder, writing: ["tokenizer.json": try JSONSerialization.data(withJSONObject: json)])
        assertRefused(hostile, ["tokenizer.json: the id of added token \"[HUGE]\" is 9223372036854775807, beyond the largest token id"])
    }

    /// A vocabulary id far past the entries would make the id → spelling table gigabytes long
    /// (before: minutes of allocation, then the out-of-memory killer).
    func testSparseVocabularyIdIsRefused() throws {
        var vocabulary = try JSONSerialization.jsonObject(with: Data(contentsOf: TestData.v1.appendingPathComponent("vocab.json"))) as! [String: Int]
        vocabulary["\u{0120}hugeid"] = 2_147_483_640
        let folder = try copy(TestData.v1, writing: ["vocab.json": try JSONSerialization.data(withJSONObject: vocabulary)])
        assertRefused(folder, ["vocab.json: token id 2147483640 lies far beyond the vocabulary's", "entries (at most 1048576 past them"])
    }
}

/// `SegmentTruncation.original` on a segment of a million tokens (one malformed TSV line): it used to
/// drop the first token by shifting the whole array, a quadratic loop that ran for hours.
final class LongSegmentTruncationTests: XCTestCase {
    func testMillionTokenSegmentIsCutInLinearTime() {
        let n = 1_000_000, budget = 10
        var segments = [Array(0..<n), [-1, -2, -3]]
        var random = PythonRandom(seed: 7)
        let order = SegmentTruncation.original(&segments, budget: budget, random: &random)
        // A stays the longer segment down to its last 7 tokens, so every draw cuts A, at the front
        // (< ½) or at the back: replay the draws to know which 7 remain.
        var replay = PythonRandom(seed: 7)
        var lower = 0, upper = n
        for _ in 0..<(n + 3 - budget) {
            if replay.random() < 0.5 { lower += 1 } else { upper -= 1 }
        }
        XCTAssertEqual(order, [0, 1])
        XCTAssertEqual(segments, [Array(lower..<upper), [-1, -2, -3]])
        XCTAssertEqual(segments[0].count, 7)
        XCTAssertGreaterThan(lower, 0, "both ends were cut")
    }
}

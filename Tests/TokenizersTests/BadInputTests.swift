import Foundation
import XCTest
@testable import DeBERTaTokenizers

/// Broken files give clear errors; hostile text gives correct ids; nothing crashes or hangs.
final class BadInputTests: XCTestCase {
    var temporary: URL!

    override func setUpWithError() throws {
        temporary = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: temporary)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let url = temporary.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    func write(_ name: String, _ text: String) throws -> URL { try write(name, Array(text.utf8)) }

    /// Asserts that `body` throws a TokenizerError whose message contains every fragment.
    func assertError(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected an error mentioning \(fragments)", file: file, line: line)
        } catch let error as TokenizerError {
            let message = error.description
            for fragment in fragments {
                XCTAssertTrue(message.contains(fragment), "\"\(message)\" does not mention \"\(fragment)\"", file: file, line: line)
            }
        } catch {
            XCTFail("unexpected error type \(error)", file: file, line: line)
        }
    }

    // MARK: SentencePiece model files

    func testTruncatedSentencePieceModels() throws {
        let model = try [UInt8](Data(contentsOf: try TestData.require(TestData.v3.appendingPathComponent("spm.model"))))
        var failures = 0
        // Every prefix length in a sweep (plus a few near the start) must fail cleanly, never crash.
        var lengths = Array(0..<64) + stride(from: 64, to: model.count, by: 997).map { $0 } + [model.count - 1]
        lengths.append(contentsOf: [model.count - 2, model.count - 5])
        for length in lengths {
            let url = try write("cut.model", Array(model.prefix(length)))
            do {
                _ = try Tokenizer(sentencePieceModel: url)
                // A prefix that ends exactly between fields can be a valid (smaller) model; it must still work.
                XCTAssertGreaterThan(length, 0)
            } catch let error as TokenizerError {
                failures += 1
                XCTAssertTrue(error.description.contains("cut.model"), error.description)
            }
        }
        XCTAssertGreaterThan(failures, lengths.count / 2)
        assertError(["cut.model", "truncated"]) { _ = try Tokenizer(sentencePieceModel: try write("cut.model", Array(model.prefix(1000)))) }
        assertError(["empty.model", "no pieces"]) { _ = try Tokenizer(sentencePieceModel: try write("empty.model", [])) }
    }

    func testGarbageSentencePieceModels() throws {
        var rng = SplitMix(seed: 7)
        for k in 0..<200 {
            let bytes = (0..<Int(rng.next() % 4096)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            XCTAssertThrowsError(try Tokenizer(sentencePieceModel: try write("garbage\(k).model", bytes))) { error in
                XCTAssertTrue("\(error)".contains("garbage\(k).model"), "\(error)")
            }
        }
        // Flipping bytes inside a real model: either a clean error or a working tokenizer.
        let model = try [UInt8](Data(contentsOf: try TestData.require(TestData.spmTests.appendingPathComponent("test_model.model"))))
        for _ in 0..<150 {
            var corrupt = model
            for _ in 0..<8 { corrupt[Int(rng.next() % UInt64(corrupt.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            if let tokenizer = try? Tokenizer(sentencePieceModel: try write("flipped.model", corrupt)) {
                _ = tokenizer.encode("Hello world, ça va? 日本語 \u{1F600}")
            }
        }
        assertError(["text.model", "not a valid SentencePiece model"]) {
            _ = try Tokenizer(sentencePieceModel: try write("text.model", "this is not a protobuf"))
        }
        assertError(["missing.model", "no such file"]) {
            _ = try Tokenizer(sentencePieceModel: temporary.appendingPathComponent("missing.model"))
        }
    }

    func testCorruptCharsMapIsRejected() throws {
        assertError(["x.model", "precompiled_charsmap is corrupt"]) {
            _ = try PrecompiledCharsMap([8, 0, 0, 0, 1, 2, 3, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0], path: "x.model")
        }
        assertError(["x.model", "precompiled_charsmap is corrupt"]) { _ = try PrecompiledCharsMap([1, 2], path: "x.model") }
        assertError(["x.model", "trie size"]) { _ = try PrecompiledCharsMap([0xFF, 0xFF, 0, 0, 1, 2, 3, 4], path: "x.model") }
    }

    // MARK: BPE files

    func testVocabularyThatIsNotJSON() throws {
        let vocab = try write("vocab.json", "{\"a\": 1, \"b\": }")
        let merges = try write("merges.txt", "#version: 0.2\na b\n")
        assertError(["vocab.json", "not valid JSON", "byte 14"]) { _ = try Tokenizer(vocabularyFile: vocab, mergesFile: merges) }
        assertError(["vocab.json", "not a non-negative integer"]) {
            _ = try Tokenizer(vocabularyFile: try write("vocab.json", "{\"a\": \"x\"}"), mergesFile: merges)
        }
        assertError(["vocab.json", "expected a JSON object"]) {
            _ = try Tokenizer(vocabularyFile: try write("vocab.json", "[1, 2]"), mergesFile: merges)
        }
        assertError(["vocab.json", "nesting"]) {
            _ = try Tokenizer(vocabularyFile: try write("vocab.json", String(repeating: "[", count: 100_000)), mergesFile: merges)
        }
        assertError(["vocab.json", "invalid UTF-8"]) {
            _ = try Tokenizer(vocabularyFile: try write("vocab.json", [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]), mergesFile: merges)
        }
    }

    /// A small valid byte-level vocabulary (all 256 bytes, the DeBERTa specials, a few merges).
    func smallVocabulary(extra: [String] = []) -> String {
        var entries = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"]
        entries += (0..<256).map { ByteLevelAlphabet.spelling(of: [UInt8($0)]) }
        entries += ["he", "ll", "hell", "hello"] + extra + ["[MASK]"]
        let body = entries.enumerated().map { "\"\($0.element.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\": \($0.offset)" }
        return "{" + body.joined(separator: ", ") + "}"
    }

    func testMergesReferencingUnknownSymbols() throws {
        let vocab = try write("vocab.json", smallVocabulary())
        let good = try Tokenizer(vocabularyFile: vocab, mergesFile: try write("merges.txt", "#version: 0.2\nh e\nl l\nhe ll\nhell o\n"))
        XCTAssertEqual(good.tokenize("hello"), ["hello"])
        XCTAssertEqual(good.encode("hello").inputIds, [1, 263, 2])
        assertError(["merges.txt", "merge 3", "\"xy\"", "not in the vocabulary"]) {
            _ = try Tokenizer(vocabularyFile: vocab, mergesFile: try write("merges.txt", "#version: 0.2\nh e\nxy z\n"))
        }
        assertError(["merges.txt", "produces \"lo\"", "not in the vocabulary"]) {
            _ = try Tokenizer(vocabularyFile: vocab, mergesFile: try write("merges.txt", "l o\n"))
        }
        assertError(["merges.txt", "line 2", "not two space-separated symbols"]) {
            _ = try Tokenizer(vocabularyFile: vocab, mergesFile: try write("merges.txt", "#version: 0.2\nh e l\n"))
        }
        assertError(["merges.txt", "not valid UTF-8"]) {
            _ = try Tokenizer(vocabularyFile: vocab, mergesFile: try write("merges.txt", [0x68, 0x20, 0xFF, 0x0A]))
        }
        assertError(["vocab.json", "[CLS]", "not in the vocabulary"]) {
            _ = try Tokenizer(vocabularyFile: try write("vocab.json", "{\"a\": 0}"), mergesFile: try write("merges.txt", ""))
        }
    }

    func testFolderErrors() throws {
        assertError(["no such folder"]) { _ = try Tokenizer.load(directory: temporary.appendingPathComponent("nope")) }
        assertError(["no tokenizer files", "the folder is empty"]) { _ = try Tokenizer.load(directory: temporary) }
        _ = try write("readme.txt", "hi")
        assertError(["no tokenizer files", "readme.txt"]) { _ = try Tokenizer.load(directory: temporary) }
        _ = try write("tokenizer.json", "{\"model\": {\"type\": \"WordPiece\"}}")
        assertError(["tokenizer.json", "unsupported", "WordPiece"]) { _ = try Tokenizer.load(directory: temporary) }
        _ = try write("tokenizer.json", "{\"model\": 3}")
        assertError(["tokenizer.json", "no \"model\" object"]) { _ = try Tokenizer.load(directory: temporary) }
        _ = try write("bpe_encoder.bin", "not a torch file")
        assertError(["bpe_encoder.bin"]) { _ = try Tokenizer.load(directory: temporary) }
        _ = try write("special_tokens_map.json", "{oops")
        assertError(["special_tokens_map.json", "not valid JSON"]) { _ = try Tokenizer.load(directory: temporary) }
    }

    // MARK: Hostile text

    func testEmptyAndWhitespaceText() throws {
        for tokenizer in [try Loaded.v1HF(), try Loaded.v3()] {
            let ids = tokenizer.specialTokenIds
            XCTAssertEqual(tokenizer.encode("").inputIds, [ids.cls, ids.sep])
            XCTAssertEqual(try tokenizer.encode("", pair: "").inputIds, [ids.cls, ids.sep, ids.sep])
            XCTAssertEqual(tokenizer.decode([]), "")
            XCTAssertEqual(tokenizer.tokenize(""), [])
        }
        XCTAssertEqual(try Loaded.v3().encode(" \t\n\u{3000}").inputIds, [1, 2])
    }

    /// One string per Unicode general category and the usual trouble makers: ids must round-trip
    /// (byte-level) or decode to the normalised text, and never crash.
    func testEveryUnicodeCategory() throws {
        var samples: [String] = [
            "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}", "\u{1F44D}\u{1F3FD}", "\u{1F1EF}\u{1F1F5}",
            "1\u{FE0F}\u{20E3}", "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
            "e\u{301}\u{302}\u{303}\u{304}\u{305}", "Z\u{36B}\u{36B}\u{36B}\u{36B}", "中文字符", "日本語のテキスト", "한국어",
            "ﾊﾝｶｸ", "مرحبا بالعالم", "שָׁלוֹם", "\u{202E}abc\u{202C}", "\u{200F}x\u{200E}", "नमस्ते", "க்ஷ", "ภาษาไทย",
            "\u{0}\u{1}\u{7}\u{8}\u{1B}\u{7F}", "\u{80}\u{85}\u{9F}", "\u{1C}\u{1D}\u{1E}\u{1F}", "\u{2028}\u{2029}",
            "\u{FEFF}\u{200B}\u{200C}\u{2060}", "\u{E000}\u{F8FF}\u{F0000}\u{10FFFD}", "\u{FFFD}\u{FFFF}\u{FFFE}",
            "ﬁﬂﬃ ſ ㍿ ① ℌ 𝟘 ² ½", "\u{A0}\u{2009}\u{202F}\u{3000}", "[MASK]<unk><|endoftext|>▁Ġ",
            String(repeating: "\u{301}", count: 500), String(repeating: "🙂", count: 300),
        ]
        // One character of every general category Swift knows, gathered from the BMP and plane 1.
        var seen = Set<String>()
        for value in UInt32(0)..<0x20000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let category = "\(scalar.properties.generalCategory)"
            if seen.insert(category).inserted { samples.append("a" + String(Character(scalar)) + "b") }
        }
        XCTAssertGreaterThanOrEqual(seen.count, 29)
        let v1 = try Loaded.v1HF()
        let v3 = try Loaded.v3()
        for sample in samples {
            let e1 = v1.encode(sample)
            XCTAssertEqual(v1.decode(e1.inputIds), sample, String(reflecting: sample))
            XCTAssertTrue(e1.inputIds.allSatisfy { $0 >= 0 && $0 < v1.vocabularySize })
            let e3 = v3.encode(sample)
            XCTAssertTrue(e3.inputIds.allSatisfy { $0 >= 0 && $0 < v3.vocabularySize })
            _ = v3.decode(e3.inputIds)
            for offset in e1.offsets + e3.offsets {
                XCTAssertTrue(offset.lowerBound >= 0 && offset.upperBound <= sample.unicodeScalars.count)
            }
        }
    }

    func testInvalidArguments() throws {
        let v3 = try Loaded.v3()
        assertError(["maxLength 2", "3 special tokens"]) { _ = try v3.encode("a", pair: "b", maxLength: 2) }
        assertError(["padding length -1"]) { _ = try v3.encode("a", pair: nil, padding: .toLength(-1)) }
        assertError(["onlySecond needs a second text"]) { _ = try v3.encode("a b c d e", pair: nil, maxLength: 3, truncation: .onlySecond) }
        assertError(["onlyFirst", "must be removed"]) {
            _ = try v3.encode("a", pair: "b c d e f g h", maxLength: 5, truncation: .onlyFirst)
        }
        assertError(["maxLength 1"]) { _ = try v3.encodeBatch(["a", "b"], maxLength: 1) }
    }
}

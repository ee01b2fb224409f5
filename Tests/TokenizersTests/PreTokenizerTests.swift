import Foundation
import XCTest
@testable import DeBERTaTokenizers

/// The GPT-2 pre-tokenizer must behave exactly like the Python `regex` pattern.
final class PreTokenizerTests: XCTestCase {
    func split(_ text: String) -> [String] {
        var words: [Range<Int>] = []
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { GPT2PreTokenizer().split($0, into: &words) }
        return words.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    func testPatternExamples() {
        XCTAssertEqual(split("Hello world!"), ["Hello", " world", "!"])
        XCTAssertEqual(split("  Hello   world  "), [" ", " Hello", "  ", " world", "  "])
        XCTAssertEqual(split("I'm, you're: it's 'sam' O'S"), ["I", "'m", ",", " you", "'re", ":", " it", "'s", " '", "sam", "'", " O", "'", "S"])
        XCTAssertEqual(split("abc123def 45"), ["abc", "123", "def", " 45"])
        XCTAssertEqual(split("a\n\nb"), ["a", "\n", "\n", "b"])
        // U+001C is not \s in the regex module, so "\n\n" before it splits (the original gives Ċ Ċ).
        XCTAssertEqual(split("para\n\n\u{1C}next"), ["para", "\n", "\n", "\u{1C}", "next"])
        XCTAssertEqual(split("x \t y"), ["x", " \t", " y"])
        XCTAssertEqual(split("..."), ["..."])
        XCTAssertEqual(split(" "), [" "])
        XCTAssertEqual(split(""), [])
        XCTAssertEqual(split("日本語テキスト"), ["日本語テキスト"])
        XCTAssertEqual(split("e\u{301}"), ["e", "\u{301}"])  // combining mark is "other"
    }

    /// Every assigned code point gets the class the `regex` module gives it (Tests/References/tokenizers/regex-classes.txt).
    func testCharacterClassesMatchRegexModuleOnAllCodePoints() throws {
        let text = try String(contentsOf: TestData.fixtures.appendingPathComponent("regex-classes.txt"), encoding: .utf8)
        var runs: [(UInt32, Character)] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            runs.append((UInt32(parts[0], radix: 16)!, parts[1].first!))
        }
        var mismatches = 0, newer = 0, checked = 0
        var examples: [String] = []
        for (k, run) in runs.enumerated() {
            let end = k + 1 < runs.count ? runs[k + 1].0 : 0x110000
            for value in run.0..<end {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let ours: Character
                switch ScalarClass.of(value) {
                case .letter: ours = "L"
                case .number: ours = "N"
                case .whitespace: ours = "S"
                case .other: ours = "O"
                }
                if ours == run.1 {
                    checked += 1
                    continue
                }
                // Tables of different Unicode versions may disagree on characters one of them lacks.
                // The regex module's tables are newer than Swift 6.3's: characters Swift does not know yet
                // are "other" here. Every character Swift knows must agree.
                if scalar.properties.age == nil {
                    newer += 1
                    continue
                }
                mismatches += 1
                if examples.count < 10 { examples.append(String(value, radix: 16) + " regex=\(run.1) swift=\(ours)") }
            }
        }
        print("regex classes: \(checked) code points identical, \(newer) differ only on characters newer than Swift's Unicode tables, \(mismatches) real mismatches")
        XCTAssertEqual(mismatches, 0, examples.joined(separator: ", "))
        XCTAssertGreaterThan(checked, 1_090_000)
    }

    /// Random strings over every class, split by `regex.findall` in Python (Tests/References/tokenizers/gpt2-splits.jsonl).
    func testRandomStringsSplitLikeRegexFindall() throws {
        struct Case: Decodable { let text: String; let lengths: [Int] }
        let data = try Data(contentsOf: TestData.fixtures.appendingPathComponent("gpt2-splits.jsonl"))
        var count = 0
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            let c = try JSONDecoder().decode(Case.self, from: Data(line))
            let lengths = split(c.text).map { $0.unicodeScalars.count }
            XCTAssertEqual(lengths, c.lengths, String(reflecting: c.text))
            count += 1
        }
        XCTAssertEqual(count, 400)
    }
}

/// The fast (heap) merge loop must give the same result as the reference loop.
final class BPEAlgorithmTests: XCTestCase {
    /// A model over the alphabet a–e with random merges (ranks in arbitrary order, including merges
    /// whose parts only appear after later merges, and repeated pairs).
    func randomModel(seed: UInt64) throws -> BytePairEncoding {
        var rng = SplitMix(seed: seed)
        var symbols: [[UInt8]] = (0..<5).map { [UInt8(ascii: "a") + $0] }
        var merges: [BytePairEncoding.Merge] = []
        for k in 0..<40 {
            let left = symbols[Int(rng.next() % UInt64(symbols.count))]
            let right = symbols[Int(rng.next() % UInt64(symbols.count))]
            merges.append(.init(left: left, right: right, origin: k))
            if !symbols.contains(left + right) { symbols.append(left + right) }
        }
        if seed % 2 == 0 { merges.shuffle(using: &rng) }
        var vocabulary: [(bytes: [UInt8], id: Int)] = (0..<256).map { ([UInt8($0)], $0) }
        for symbol in symbols where symbol.count > 1 { vocabulary.append((symbol, vocabulary.count)) }
        return try BytePairEncoding(vocabulary: vocabulary, merges: merges, unknownId: 0, source: "test", mergesSource: "test")
    }

    func testHeapMergeEqualsReferenceMerge() throws {
        for seed in 0..<30 {
            let model = try randomModel(seed: UInt64(seed))
            var rng = SplitMix(seed: UInt64(seed) &+ 1000)
            for _ in 0..<60 {
                let length = 1 + Int(rng.next() % 120)
                let word = (0..<length).map { _ in UInt8(ascii: "a") + UInt8(rng.next() % 5) }
                XCTAssertTrue(model.mergeUncached(word, useHeap: true).elementsEqual(model.mergeUncached(word, useHeap: false)) { $0 == $1 },
                              "seed \(seed) word \(String(decoding: word, as: UTF8.self))")
            }
        }
    }

    /// A megabyte-long word must not take quadratic time.
    func testMegabyteWordFinishesQuickly() throws {
        let v1 = try Loaded.v1HF()
        // (About 4 s each in a debug build, 0.1 s in release: the merge loop is heap-based, O(n log n).)
        for word in [String(repeating: "a", count: 1 << 20), String(repeating: "é", count: 1 << 19)] {
            let start = Date()
            let encoding = v1.encode(word)
            let seconds = Date().timeIntervalSince(start)
            XCTAssertLessThan(seconds, 20, "1 MB word took \(seconds) s")
            XCTAssertEqual(v1.decode(encoding.inputIds), word)
            XCTAssertEqual(encoding.offsets.dropFirst().dropLast().last?.upperBound, word.unicodeScalars.count)
        }
    }
}

/// Deterministic generator for the randomised tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

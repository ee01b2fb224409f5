import DeBERTaPythonCompat
import Foundation
import XCTest
@testable import DeBERTaTokenizers

/// Truncation, padding, offsets, batches and the public lookups.
final class EncodingOptionsTests: XCTestCase {
    func testPythonRandomMatchesCPython() {
        // random.Random(seed).random() × 3, printed by CPython 3.11.
        let expected: [(Int, [Double])] = [
            (0, [0.8444218515250481, 0.7579544029403025, 0.420571580830845]),
            (1, [0.13436424411240122, 0.8474337369372327, 0.763774618976614]),
            (42, [0.6394267984578837, 0.025010755222666936, 0.27502931836911926]),
            (12345, [0.41661987254534116, 0.010169169457068361, 0.8252065092537432]),
            ((1 << 40) + 7, [0.6137037779936511, 0.8149162973309487, 0.9450115087592873]),
        ]
        for (seed, values) in expected {
            var random = PythonRandom(seed: seed)
            XCTAssertEqual((0..<3).map { _ in random.random() }, values, "seed \(seed)")
        }
    }

    /// The original pipeline's random truncation (example_to_feature, rng = Random(index)), 60 RTE pairs.
    func testOriginalTruncationMatchesTheOriginalPipeline() throws {
        struct Case: Decodable {
            let index: Int; let text: String; let text_b: String; let max_length: Int
            let input_ids: [Int]; let token_type_ids: [Int]
        }
        let v3 = try Loaded.v3()
        let data = try Data(contentsOf: TestData.fixtures.appendingPathComponent("truncation.jsonl"))
        var count = 0, reordered = 0
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            let c = try JSONDecoder().decode(Case.self, from: Data(line))
            let encoding = try v3.encode(c.text, pair: c.text_b, maxLength: c.max_length, truncation: .original(seed: c.index))
            XCTAssertEqual(encoding.inputIds, c.input_ids, "pair \(c.index)")
            XCTAssertEqual(encoding.tokenTypeIds, c.token_type_ids, "pair \(c.index)")
            if encoding.sequenceIds.compactMap({ $0 }).first == 1 { reordered += 1 }
            count += 1
        }
        XCTAssertEqual(count, 60)
        print("original truncation: 60/60 pairs identical (\(reordered) with the segments reordered, as the original does)")
    }

    /// HF longest_first: tokens leave the end of the longer segment; the second one on ties.
    func testLongestFirstTruncation() throws {
        let v1 = try Loaded.v1HF()
        let a = "one two three four five six seven eight", b = "alpha beta gamma"
        let full = try v1.encode(a, pair: b)
        let lengthA = full.tokenTypeIds.filter { $0 == 0 }.count - 2, lengthB = full.tokenTypeIds.filter { $0 == 1 }.count - 1
        XCTAssertEqual([lengthA, lengthB], [8, 3])
        let idsA = Array(full.inputIds[1...lengthA]), idsB = Array(full.inputIds[(lengthA + 2)...(lengthA + lengthB + 1)])
        for maxLength in 3...full.count {
            let e = try v1.encode(a, pair: b, maxLength: maxLength)
            XCTAssertEqual(e.count, min(maxLength, full.count))
            // Expected lengths by the transformers 4.57 formula.
            let remove = max(0, full.count - maxLength)
            let first = min(abs(lengthA - lengthB), remove), second = remove - first
            let (cutA, cutB) = lengthA > lengthB ? (first + second / 2, second - second / 2) : (second / 2, first + second - second / 2)
            XCTAssertEqual(e.inputIds, [1] + idsA.prefix(lengthA - cutA) + [2] + idsB.prefix(lengthB - cutB) + [2], "max \(maxLength)")
        }
        let single = try v1.encode(a, pair: nil, maxLength: 5, padding: .toLength(8))
        XCTAssertEqual(single.inputIds, [1] + idsA.prefix(3) + [2, 0, 0, 0])
        XCTAssertEqual(single.attentionMask, [1, 1, 1, 1, 1, 0, 0, 0])
        XCTAssertEqual(single.tokenTypeIds, [0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(single.specialTokensMask, [1, 0, 0, 0, 1, 1, 1, 1])
        let onlySecond = try v1.encode(a, pair: b, maxLength: 12, truncation: .onlySecond)
        XCTAssertEqual(onlySecond.inputIds, [1] + idsA + [2] + idsB.prefix(1) + [2])
        let noSpecial = try v1.encode(a, pair: b, maxLength: 4, addSpecialTokens: false)
        XCTAssertEqual(noSpecial.inputIds, Array(idsA.prefix(2)) + Array(idsB.prefix(2)))
        XCTAssertEqual(noSpecial.tokenTypeIds, [0, 0, 1, 1])
    }

    /// The v3 test vector layout from the spec (padding to the longest in a batch).
    func testBatchPaddingToLongest() throws {
        let v3 = try Loaded.v3()
        let batch = try v3.encodeBatch([(text: "this is the first sentence", pair: "blah blah blah"),
                                        (text: "second sentence", pair: "sunny day today")], padding: .longest)
        XCTAssertEqual(batch[0].count, batch[1].count)
        XCTAssertEqual(batch[0].inputIds, try v3.encode("this is the first sentence", pair: "blah blah blah").inputIds)
        let second = try v3.encode("second sentence", pair: "sunny day today")
        XCTAssertEqual(Array(batch[1].inputIds.prefix(second.count)), second.inputIds)
        XCTAssertTrue(batch[1].inputIds.dropFirst(second.count).allSatisfy { $0 == 0 })
        XCTAssertEqual(batch[1].attentionMask, Array(repeating: 1, count: second.count) + Array(repeating: 0, count: batch[1].count - second.count))
        XCTAssertEqual(v3.encode("this is the first sentence").inputIds, [1, 56, 22, 5, 104, 3790, 2])
        XCTAssertEqual(v3.encode("Hello world!").inputIds, [1, 103, 165, 71, 287, 3, 2])
    }

    /// Batch encoding over all cores gives exactly the sequential results, for every reference record.
    func testBatchEqualsSequential() throws {
        for (tokenizer, folder) in [(try Loaded.v1HF(), TestData.v1), (try Loaded.v3(), TestData.v3)] {
            let records = try TestData.records(folder.appendingPathComponent("reference.jsonl"))
            let inputs = records.map { (text: $0.text, pair: $0.text_b) }
            let batch = try tokenizer.encodeBatch(inputs, maxLength: 64, truncation: .original(seed: 100))
            for (k, input) in inputs.enumerated() {
                XCTAssertEqual(batch[k], try tokenizer.encode(input.text, pair: input.pair, maxLength: 64, truncation: .original(seed: 100 + k)))
            }
            let plain = try tokenizer.encodeBatch(records.map(\.text))
            XCTAssertEqual(plain.map(\.inputIds), records.map { tokenizer.encode($0.text).inputIds })
        }
    }

    func testOffsetsInUnicodeScalars() throws {
        let v1 = try Loaded.v1HF()
        let text = "Héllo wörld 🙂!"
        let e1 = v1.encode(text)
        let scalars = Array(text.unicodeScalars)
        func slice(_ r: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[r])) }
        // Tokens cover the text contiguously (a byte-level token inside an emoji reports the whole emoji).
        var covered = ""
        var last = 0
        for (k, r) in e1.offsets.enumerated() where e1.sequenceIds[k] != nil {
            if r.lowerBound >= last { covered += slice(r) }
            last = max(last, r.upperBound)
        }
        XCTAssertEqual(covered, text)
        let v3 = try Loaded.v3()
        let e3 = v3.encode("  Hello   wörld ")
        let words = e3.offsets.enumerated().filter { e3.sequenceIds[$0.offset] != nil }.map { $0.element }
        let source = Array("  Hello   wörld ".unicodeScalars)
        XCTAssertEqual(words.map { String(String.UnicodeScalarView(source[$0])) }.joined(), "Hello   wörld")
        XCTAssertEqual(words.first?.lowerBound, 2)
        let pair = try v3.encode("ab", pair: "cd")
        XCTAssertEqual(pair.sequenceIds.first!, nil)
        XCTAssertEqual(pair.sequenceIds.last!, nil)
        XCTAssertEqual(Set(pair.sequenceIds.compactMap { $0 }), [0, 1])
        XCTAssertEqual(pair.offsets.first, 0..<0)
    }

    func testLookupsAndLoading() throws {
        let v1 = try Tokenizer.load(directory: try TestData.require(TestData.v1))
        XCTAssertEqual(v1.kind, .byteLevelBPE)
        XCTAssertEqual(v1.id(for: "ĠHello"), 37691)
        XCTAssertEqual(v1.token(for: 37691), "ĠHello")
        XCTAssertEqual(v1.token(for: 50264), "[MASK]")
        XCTAssertEqual(v1.id(for: "[MASK]"), 50264)
        XCTAssertNil(v1.token(for: 50265))
        XCTAssertEqual(v1.tokenize("Hello world!"), ["Hello", "Ġworld", "!"])
        let v3 = try Loaded.v3()
        XCTAssertEqual(v3.kind, .sentencePiece)
        XCTAssertEqual(v3.specialTokenIds, SpecialTokenIds(pad: 0, cls: 1, sep: 2, unk: 3, mask: 8000))
        XCTAssertEqual(v3.vocabularySize, 8001)
        // As the original SPMTokenizer.tokenize: unknown pieces are "[UNK]" (HF shows the surface "!").
        XCTAssertEqual(v3.tokenize("Hello world!"), ["▁He", "ll", "o", "▁world", "[UNK]"])
        XCTAssertEqual(v3.id(for: "▁the"), 5)
        XCTAssertEqual(v3.token(for: 8000), "[MASK]")
        let test = try Loaded.spmTestModel()
        XCTAssertEqual(test.specialTokenIds, SpecialTokenIds(pad: 1002, cls: 1004, sep: 1001, unk: 1003, mask: 1000))
        XCTAssertEqual(test.encode("I saw a girl with a telescope.").inputIds,
                       [1004, 9, 459, 11, 939, 44, 11, 4, 142, 82, 8, 28, 21, 132, 6, 1001])
    }

    /// A folder holding only the original bpe_encoder.bin, or only spm.model, loads by itself.
    func testLoadingFoldersWithOnlyTheOriginalFiles() throws {
        let fm = FileManager.default
        let folder = fm.temporaryDirectory.appendingPathComponent("tokenizer-folder-\(UUID().uuidString)")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: folder) }
        try fm.createSymbolicLink(at: folder.appendingPathComponent("bpe_encoder.bin"),
                                  withDestinationURL: try TestData.require(TestData.v1.appendingPathComponent("bpe_encoder.bin")))
        let v1 = try Tokenizer.load(directory: folder)
        XCTAssertEqual(v1.kind, .byteLevelBPE)
        XCTAssertEqual(v1.encode("Hello world!").inputIds, [1, 26015, 214, 1240, 2])
        try fm.removeItem(at: folder.appendingPathComponent("bpe_encoder.bin"))
        try fm.createSymbolicLink(at: folder.appendingPathComponent("spm.model"),
                                  withDestinationURL: try TestData.require(TestData.v3.appendingPathComponent("spm.model")))
        let v3 = try Tokenizer.load(directory: folder)
        XCTAssertEqual(v3.kind, .sentencePiece)
        XCTAssertEqual(v3.specialTokenIds.mask, 8000)  // appended after the 8000 pieces, as the original does
        XCTAssertEqual(v3.encode("Hello world!").inputIds, [1, 103, 165, 71, 287, 3, 2])
    }

    func testConcurrentSingleEncodes() throws {
        let v1 = try Loaded.v1HF()
        let texts = (0..<2000).map { "sentence number \($0) with some words, émojis 🙂 and digits \($0 * 7919)" }
        let expected = texts.map { v1.encode($0) }
        let results = UnsafeMutableBufferPointer<Encoding?>.allocate(capacity: texts.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        nonisolated(unsafe) let shared = results
        DispatchQueue.concurrentPerform(iterations: texts.count) { k in shared[k] = v1.encode(texts[k]) }
        XCTAssertEqual(results.map { $0! }, expected)
    }
}

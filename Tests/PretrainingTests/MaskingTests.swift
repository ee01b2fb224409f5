import DeBERTaPythonCompat
import Foundation
import DeBERTaTokenizers
import XCTest
@testable import DeBERTaPretraining

final class MaskingTests: XCTestCase {
    /// Samples of the original pipeline (shuffle, per-sample RNG, truncation, masking) computed in
    /// Python with its own `random` and numpy (Scripts/make_pretraining_references.py).
    func testSamplesMatchOriginalPipeline() throws {
        let tokenizer = try v3Tokenizer()
        let vocabulary = PieceVocabulary(tokenizer: tokenizer)
        let ref = try jsonResource("samples.json")
        XCTAssertEqual(ref["vocab_size"] as? Int, vocabulary.count)
        let corpus = try PreparedCorpus(url: resources.appendingPathComponent("prepare_expected.txt"))
        for key in ["mlm", "rtd"] {
            let r = try XCTUnwrap(ref[key] as? [String: Any])
            let masker = try NGramMaskGenerator(maxSequenceLength: r["mask_seq_len"] as! Int, maxGram: r["max_gram"] as! Int,
                                                maskProbability: r["mask_prob"] as! Double, keepProbability: r["keep_prob"] as! Double)
            let data = try PretrainingDataset(corpus: corpus, vocabulary: vocabulary, masker: masker, maxSequenceLength: r["max_seq_len"] as! Int,
                                              size: r["dataset_size"] as? Int, shuffled: true)
            let samples = try XCTUnwrap(r["samples"] as? [[String: Any]])
            XCTAssertEqual(samples.count, 40)
            var labelled = 0
            for s in samples {
                let k = s["sample"] as! Int
                XCTAssertEqual(data.exampleIndex(ofSample: k), s["example"] as! Int, "\(key) sample \(k) example")
                let got = try data.sample(k)
                XCTAssertEqual(got.inputIds.map(Int.init), s["input_ids"] as! [Int], "\(key) sample \(k) input ids")
                XCTAssertEqual(got.labels.map(Int.init), s["labels"] as! [Int], "\(key) sample \(k) labels")
                labelled += got.labels.filter { $0 > 0 }.count
            }
            XCTAssertGreaterThan(labelled, 40, "the references must exercise the masking")
        }
    }

    struct Counts {
        var tokens = 0, labelled = 0, masked = 0, kept = 0, random = 0
    }

    /// Masks `sequences` random sequences of real pieces (lengths 20…512, no special tokens inside).
    func count(maxGram: Int, maskProbability: Double, keepProbability: Double, sequences: Int) throws -> Counts {
        let tokenizer = try v3Tokenizer()
        let vocabulary = PieceVocabulary(tokenizer: tokenizer)
        let masker = try NGramMaskGenerator(maxSequenceLength: 512, maxGram: maxGram, maskProbability: maskProbability, keepProbability: keepProbability)
        var source = PythonRandom(seed: 99)
        var c = Counts()
        for k in 0..<sequences {
            let n = 20 + source.randbelow(493)
            let tokens = ["[CLS]"] + (0..<(n - 2)).map { _ in vocabulary.piece(4 + source.randbelow(7996)) } + ["[SEP]"]
            var random = PythonRandom(seed: k)
            let result = masker.mask(tokens, vocabulary: vocabulary, random: &random)
            c.tokens += n
            for i in 0..<n where result.labels[i] > 0 {
                c.labelled += 1
                XCTAssertEqual(result.labels[i], vocabulary.id(tokens[i]), "labels are the original ids")
                if result.inputIds[i] == vocabulary.maskId { c.masked += 1 }
                else if result.inputIds[i] == result.labels[i] { c.kept += 1 }
                else { c.random += 1 }
            }
            XCTAssertEqual(result.labels[0], 0)
            XCTAssertEqual(result.labels[n - 1], 0, "special tokens are never targets")
        }
        return c
    }

    /// PRETRAINING.md §2: 15 % of the tokens are targets; 80 % of them become [MASK], 10 % stay, 10 % random.
    func testMaskingStatistics() throws {
        let c = try count(maxGram: 1, maskProbability: 0.8, keepProbability: 0.1, sequences: 400)
        XCTAssertGreaterThanOrEqual(c.tokens, 100_000)
        let rate = Double(c.labelled) / Double(c.tokens)
        let masked = Double(c.masked) / Double(c.labelled), kept = Double(c.kept) / Double(c.labelled), random = Double(c.random) / Double(c.labelled)
        print(String(format: "%d tokens: %.4f labelled; of those %.4f [MASK], %.4f kept, %.4f random", c.tokens, rate, masked, kept, random))
        XCTAssertEqual(rate, 0.15, accuracy: 0.003)
        XCTAssertEqual(masked, 0.8, accuracy: 0.01)
        XCTAssertEqual(kept, 0.1, accuracy: 0.01)
        XCTAssertEqual(random, 0.1, accuracy: 0.01)
    }

    /// The RTD generator input: every selected token becomes [MASK]; whole-word 3-grams keep the rate.
    func testRTDAndNGramSettings() throws {
        let rtd = try count(maxGram: 1, maskProbability: 1, keepProbability: 0, sequences: 60)
        XCTAssertEqual(rtd.masked, rtd.labelled)
        XCTAssertEqual(Double(rtd.labelled) / Double(rtd.tokens), 0.15, accuracy: 0.005)
        let grams = try count(maxGram: 3, maskProbability: 0.8, keepProbability: 0.1, sequences: 60)
        XCTAssertEqual(Double(grams.labelled) / Double(grams.tokens), 0.15, accuracy: 0.01)
    }

    /// With max_gram > 1 a word's pieces are masked together (▁ starts a word).
    func testWholeWordsAreMaskedTogether() throws {
        let tokenizer = try v3Tokenizer()
        let vocabulary = PieceVocabulary(tokenizer: tokenizer)
        XCTAssertTrue(vocabulary.isPartOfWholeWord("ll"))
        XCTAssertFalse(vocabulary.isPartOfWholeWord("▁the"))
        XCTAssertFalse(vocabulary.isPartOfWholeWord("."))
        XCTAssertFalse(vocabulary.isPartOfWholeWord("[UNK]"))
        let masker = try NGramMaskGenerator(maxGram: 3, maskProbability: 1, keepProbability: 0)
        let words = ["▁He", "ll", "o", "▁wor", "ld", "▁the", "▁sta", "r", "ring", "▁role"]
        for seed in 0..<50 {
            let tokens = ["[CLS]"] + words + words + ["[SEP]"]
            var random = PythonRandom(seed: seed)
            let r = masker.mask(tokens, vocabulary: vocabulary, random: &random)
            for i in 2..<(tokens.count - 1) where !tokens[i].hasPrefix("▁") {
                XCTAssertEqual(r.labels[i] > 0, r.labels[i - 1] > 0, "seed \(seed): piece \(i) masked apart from its word")
            }
        }
    }
}

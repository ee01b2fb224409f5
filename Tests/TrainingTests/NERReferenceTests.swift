@testable import DeBERTaFineTuning
import DeBERTaTestSupport
import DeBERTaTokenizers
import Foundation
import XCTest

/// Sentences written for these tests (not CoNLL-2003's): the same list is in
/// Scripts/make_ner_references.py, which recorded transformers' preprocessing of them.
let nerTestSentences: [(words: [String], tags: [String])] = [
    (["Angela", "Merkel", "met", "Emmanuel", "Macron", "in", "Aachen", "on", "Tuesday", "."],
     ["B-PER", "I-PER", "O", "B-PER", "I-PER", "O", "B-LOC", "O", "O", "O"]),
    (["The", "Rolling", "Stones", "played", "at", "Wembley", "Stadium", "in", "London", "."],
     ["O", "B-ORG", "I-ORG", "O", "O", "B-LOC", "I-LOC", "O", "B-LOC", "O"]),
    (["Zoë", "Saldaña", "visited", "São", "Paulo", "and", "Kraków", "with", "Müller-Wohlfahrt", "."],
     ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O", "B-LOC", "O", "B-PER", "O"]),
    (["Shares", "of", "Volkswagen", "AG", "rose", "3.5", "percent", "to", "1,234.50", "euros", "on", "2024-03-15", "."],
     ["O", "O", "B-ORG", "I-ORG", "O", "O", "O", "O", "O", "O", "O", "O", "O"]),
    (["Paris", "Berlin", "and", "Rome", "signed", "the", "Schengen", "Agreement", "."],
     ["I-LOC", "B-LOC", "O", "I-LOC", "O", "O", "I-MISC", "I-MISC", "O"]),
    (["Tokyo", "\u{3000}", "Olympics", "open", "."],
     ["B-LOC", "O", "B-MISC", "O", "O"]),
    (["\"", "It", "'s", "over", ",", "\"", "said", "Dr.", "Smith", "of", "the", "WHO", "."],
     ["O", "O", "O", "O", "O", "O", "O", "O", "B-PER", "O", "O", "B-ORG", "O"]),
    (["Donaudampfschifffahrtsgesellschaftskapitän", "Anna", "Schmidt", "retired", "."],
     ["O", "B-PER", "I-PER", "O", "O"]),
]

/// The NER task against independent references: seqeval's and conlleval's entity scores, and
/// transformers' token-classification label alignment (Tests/References/ner, made by
/// Scripts/make_ner_references.py; SOURCES.md there).
final class NERReferenceTests: XCTestCase {
    struct MetricCase: Decodable {
        struct Seqeval: Decodable { let precision, recall, f1, accuracy: Double }
        struct Conlleval: Decodable { let tokens, gold, found, correct: Int }
        let kind: String
        let gold: [[String]]
        let predicted: [[String]]
        let seqeval: Seqeval
        let conlleval: Conlleval?
    }

    struct AlignedSentence: Decodable {
        let words: [String]
        let tags: [String]
        let input_ids: [Int32]
        let word_ids: [Int]
        let labels: [Int32]
    }

    /// Precision, recall, F1 and accuracy equal seqeval's to the last bit on 85 cases (IOB2, IOB1,
    /// invalid sequences, IOBES, no entities), and the entity counts equal conlleval's on the 65
    /// cases without IOBES tags.
    func testEntityMetricsEqualSeqevalAndConlleval() throws {
        struct File: Decodable { let cases: [MetricCase] }
        let cases = try JSONDecoder().decode(File.self, from: Data(contentsOf: References.url("ner/metrics.json"))).cases
        XCTAssertEqual(cases.count, 85)
        XCTAssertEqual(cases.filter { $0.conlleval != nil }.count, 65)
        XCTAssertEqual(Set(cases.map(\.kind)), ["iob2", "iob1", "invalid", "iobes", "none", "no-predictions", "no-gold", "perfect", "boundary"])
        for (k, c) in cases.enumerated() {
            let s = try EntityMetrics.score(gold: c.gold, predicted: c.predicted)
            XCTAssertEqual(s.precision, c.seqeval.precision, "case \(k) (\(c.kind)) precision")
            XCTAssertEqual(s.recall, c.seqeval.recall, "case \(k) (\(c.kind)) recall")
            XCTAssertEqual(s.f1, c.seqeval.f1, "case \(k) (\(c.kind)) f1")
            XCTAssertEqual(s.accuracy, c.seqeval.accuracy, "case \(k) (\(c.kind)) accuracy")
            if let ref = c.conlleval {
                XCTAssertEqual([s.words, s.gold, s.predicted, s.correct], [ref.tokens, ref.gold, ref.found, ref.correct], "case \(k) (\(c.kind)) conlleval counts")
            }
        }
        // A few values by hand: the IOB1 case 1 finds 3 of 4 entities, 4 predicted.
        XCTAssertEqual(cases[1].seqeval.f1, 0.75)
        let boundary = try EntityMetrics.score(gold: [["O", "I-PER"], ["I-PER", "O"]], predicted: [["O", "I-PER"], ["I-PER", "O"]])
        XCTAssertEqual(boundary.gold, 2, "an entity does not run across a sentence boundary")
        XCTAssertThrowsError(try EntityMetrics.score(gold: [["O"]], predicted: [["O", "O"]]))
    }

    func alignment() throws -> [AlignedSentence] {
        struct File: Decodable { let labels: [String]; let sentences: [AlignedSentence] }
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: References.url("ner/alignment.json")))
        XCTAssertEqual(file.labels, NERTask.defaultLabels)
        XCTAssertEqual(file.sentences.map(\.words), nerTestSentences.map(\.words), "the test's sentences are the script's")
        XCTAssertEqual(file.sentences.map(\.tags), nerTestSentences.map(\.tags))
        return file.sentences
    }

    func tokenizer() throws -> Tokenizer {
        try Tokenizer.load(directory: References.packageFile("Examples/deberta-v3-h256-rtd"))
    }

    /// One sentence a document: each feature is transformers' `tokenizer(words,
    /// is_split_into_words=True)` with the first sub-token of each word labelled — ids and labels
    /// equal; U+3000 becomes no token and gets no position, as `word_ids` never names it.
    func testLabelAlignmentEqualsTransformers() throws {
        let reference = try alignment()
        let sentences = nerTestSentences.enumerated().map { k, s in
            CoNLLSentence(words: s.words, tags: s.tags, lines: Array(1...s.words.count), document: k)
        }
        let features = try NERFeatures.make(sentences, tokenizer: tokenizer(), maxSequenceLength: 128, labels: NERTask.defaultLabels)
        XCTAssertEqual(features.count, 8)
        for (k, (feature, ref)) in zip(features, reference).enumerated() {
            XCTAssertEqual(feature.inputIds, ref.input_ids, "sentence \(k) ids")
            XCTAssertEqual(feature.labels, ref.labels, "sentence \(k) labels")
            XCTAssertEqual(feature.tokenTypeIds, [Int32](repeating: 0, count: ref.input_ids.count))
            // Each word's position is the first token transformers assigns to it.
            let expected = ref.words.indices.compactMap { w in ref.word_ids.firstIndex(of: w).map { NERWordPosition(sentence: k, word: w, token: $0) } }
            XCTAssertEqual(feature.words, expected, "sentence \(k) positions")
        }
        XCTAssertEqual(features[5].words.map(\.word), [0, 2, 3, 4], "U+3000 has no token")
        XCTAssertEqual(features[2].inputIds.count, 38, "Zoë Saldaña … in 36 sub-tokens")
    }

    /// One document: sentences share a feature while their sub-tokens fit (the original's packing),
    /// each feature the concatenation of transformers' encodings; with a short limit, sentences are
    /// cut into windows at word boundaries and an over-long word keeps its first sub-tokens.
    func testPackingAndWindowsKeepTransformersTokens() throws {
        let reference = try alignment()
        let sentences = nerTestSentences.map { CoNLLSentence(words: $0.words, tags: $0.tags, lines: Array(1...$0.words.count), document: 0) }
        let tokenizer = try tokenizer()
        let inner = reference.map { Array($0.input_ids.dropFirst().dropLast()) }, innerLabels = reference.map { Array($0.labels.dropFirst().dropLast()) }
        // Lengths 17, 15, 36, 32, 16, 5, 17, 33: with 62 sub-tokens a feature, the groups below.
        XCTAssertEqual(inner.map(\.count), [17, 15, 36, 32, 16, 5, 17, 33])
        let packed = try NERFeatures.make(sentences, tokenizer: tokenizer, maxSequenceLength: 64, labels: NERTask.defaultLabels)
        let groups = [[0, 1], [2], [3, 4, 5], [6, 7]]
        XCTAssertEqual(packed.count, groups.count)
        for (feature, group) in zip(packed, groups) {
            XCTAssertEqual(feature.inputIds, [1] + group.flatMap { inner[$0] } + [2])
            XCTAssertEqual(feature.labels, [-100] + group.flatMap { innerLabels[$0] } + [-100])
            XCTAssertEqual(Set(feature.words.map(\.sentence)), Set(group))
        }
        // Another document starts a new feature even when there is room.
        var split = sentences
        split[1].document = 1
        XCTAssertEqual(try NERFeatures.make(split, tokenizer: tokenizer, maxSequenceLength: 64, labels: NERTask.defaultLabels).count, 5)

        let limit = 10
        let windows = try NERFeatures.make(sentences, tokenizer: tokenizer, maxSequenceLength: limit, labels: NERTask.defaultLabels)
        XCTAssertTrue(windows.allSatisfy { $0.inputIds.count <= limit && $0.inputIds.first == 1 && $0.inputIds.last == 2 })
        let seen = windows.flatMap { f in f.words.map { ($0.sentence, $0.word) } }
        let expected = reference.enumerated().flatMap { k, r in r.words.indices.filter { r.word_ids.contains($0) }.map { (k, $0) } }
        XCTAssertTrue(seen.elementsEqual(expected, by: ==), "every word with tokens once, in order")
        for f in windows {
            for p in f.words {
                let ref = reference[p.sentence], first = ref.word_ids.firstIndex(of: p.word)!
                XCTAssertEqual(f.inputIds[p.token], ref.input_ids[first])
                XCTAssertEqual(f.labels[p.token], ref.labels[first])
            }
        }
        // The 25-sub-token word fills a window of its own with its first 8 sub-tokens.
        let long = windows.first { $0.words.first.map { $0.sentence == 7 && $0.word == 0 } ?? false }!
        XCTAssertEqual(long.inputIds, [1] + reference[7].input_ids[1...8] + [2])
        XCTAssertEqual(long.words.count, 1)
        XCTAssertThrowsError(try NERFeatures.make(sentences, tokenizer: tokenizer, maxSequenceLength: 2, labels: NERTask.defaultLabels))
    }
}

import Foundation
import DeBERTaTestSupport
import XCTest
@testable import DeBERTaTokenizers

/// Locations of the tokenizer reference files (Tests/References, through the test-support locator).
enum TestData {
    static let tokenizers = References.root.appendingPathComponent("data/tokenizers")
    static let v1 = tokenizers.appendingPathComponent("deberta-v1-style")
    static let v3 = tokenizers.appendingPathComponent("deberta-v3-style")
    static let spmTests = tokenizers.appendingPathComponent("sentencepiece-tests")
    /// Fixtures made here by Scripts/make_*_fixtures.py (Tests/References/tokenizers).
    static let fixtures = References.root.appendingPathComponent("tokenizers")

    /// Number of records in each `reference.jsonl` here: the shared files' 4405 less the 408 MRPC
    /// dev pairs (records 278–685 there), which are not redistributed (Tests/References/SOURCES.md).
    static let referenceRecords = 3997

    /// `url` when it exists; throws (the test fails) naming the missing file otherwise.
    static func require(_ url: URL) throws -> URL { try References.existing(url) }

    /// One line of a `reference.jsonl` file.
    struct Record: Decodable {
        let text: String
        let text_b: String?
        let input_ids: [Int]
        let token_type_ids: [Int]
    }

    /// Reads a JSON Lines reference file (records split on "\n" only), and checks it holds the number of
    /// records it should (`reference.jsonl` 3997, `reference.hf-split-special.jsonl` 13), so that no loop
    /// over it can pass by iterating over nothing.
    static func records(_ url: URL) throws -> [Record] {
        let data = try Data(contentsOf: try require(url))
        let decoder = JSONDecoder()
        var out: [Record] = []
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            out.append(try decoder.decode(Record.self, from: Data(line)))
        }
        let expected = ["reference.jsonl": referenceRecords, "reference.hf-split-special.jsonl": 13][url.lastPathComponent]
        guard let expected, out.count == expected else {
            throw MissingPrerequisite("\(url.path): \(out.count) records, expected \(expected.map(String.init) ?? "a known reference file")")
        }
        return out
    }
}

/// Caches loaded tokenizers across tests (loading the 50k BPE vocabulary takes a moment).
enum Loaded {
    nonisolated(unsafe) private static var cache: [String: Tokenizer] = [:]
    private static let lock = NSLock()

    static func tokenizer(_ key: String, _ make: () throws -> Tokenizer) throws -> Tokenizer {
        lock.lock()
        defer { lock.unlock() }
        if let cached = cache[key] { return cached }
        let made = try make()
        cache[key] = made
        return made
    }

    static func v1HF() throws -> Tokenizer {
        try tokenizer("v1-hf") {
            try Tokenizer(vocabularyFile: try TestData.require(TestData.v1.appendingPathComponent("vocab.json")),
                          mergesFile: try TestData.require(TestData.v1.appendingPathComponent("merges.txt")),
                          metadataDirectory: TestData.v1)
        }
    }

    static func v1Original(_ file: String = "bpe_encoder.bin") throws -> Tokenizer {
        try tokenizer("v1-" + file) {
            try Tokenizer(bpeEncoderFile: try TestData.require(TestData.v1.appendingPathComponent(file)))
        }
    }

    static func v3() throws -> Tokenizer {
        try tokenizer("v3") { try Tokenizer.load(directory: try TestData.require(TestData.v3)) }
    }

    static func spmTestModel() throws -> Tokenizer {
        try tokenizer("spm-test") {
            try Tokenizer(sentencePieceModel: try TestData.require(TestData.spmTests.appendingPathComponent("test_model.model")))
        }
    }
}

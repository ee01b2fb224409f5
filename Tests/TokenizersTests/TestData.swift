import Foundation
import XCTest
@testable import DeBERTaTokenizers

/// Locations of the shared test data, found from this file's path (package root/../shared).
enum TestData {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let tokenizers = shared.appendingPathComponent("data/tokenizers")
    static let v1 = tokenizers.appendingPathComponent("deberta-v1-style")
    static let v3 = tokenizers.appendingPathComponent("deberta-v3-style")
    static let spmTests = tokenizers.appendingPathComponent("sentencepiece-tests")
    static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures/Tokenizers")

    /// Skips the test (printing why) when a shared file is missing.
    static func require(_ url: URL) throws -> URL {
        guard FileManager.default.fileExists(atPath: url.path) else {
            let reason = "test data not found at \(url.path)"
            print("SKIPPED: \(reason)")
            throw XCTSkip(reason)
        }
        return url
    }

    /// One line of a `reference.jsonl` file.
    struct Record: Decodable {
        let text: String
        let text_b: String?
        let input_ids: [Int]
        let token_type_ids: [Int]
    }

    /// Reads a JSON Lines reference file (records split on "\n" only).
    static func records(_ url: URL) throws -> [Record] {
        let data = try Data(contentsOf: try require(url))
        let decoder = JSONDecoder()
        var out: [Record] = []
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            out.append(try decoder.decode(Record.self, from: Data(line)))
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

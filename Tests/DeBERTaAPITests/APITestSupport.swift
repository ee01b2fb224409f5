import DeBERTa
import DeBERTaTestSupport
import Foundation
import XCTest

/// The package root.
let packageRoot = References.packageRoot

/// The stand-in DeBERTa-v3 tokenizer (8000 SentencePiece pieces + `[MASK]`).
func v3StyleTokenizer() throws -> Tokenizer {
    try Tokenizer.load(directory: References.url("data/tokenizers/deberta-v3-style"))
}

/// transformers 5.24's inputs and outputs for the `deberta-v3-tiny` fixture (shared/fixtures/README.md).
struct TinyReference {
    let tensors: [String: StoredTensor]

    init() throws {
        tensors = try SafeTensors.read(from: References.url("fixtures/deberta-v3-tiny/reference.safetensors")).tensors
    }

    func ints(_ name: String) throws -> [Int] { try XCTUnwrap(tensors[name], name).int64Values().map { Int($0) } }
    func floats(_ name: String) throws -> [Float] { try XCTUnwrap(tensors[name], name).floatValues() }
    /// The float64 references (`f64.*`) at full precision.
    func doubles(_ name: String) throws -> [Double] {
        let t = try XCTUnwrap(tensors[name], name)
        XCTAssertEqual(t.dtype, .f64, name)
        return t.withUnsafeRawBytes { raw in
            (0..<t.elementCount).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))) }
        }
    }
    func shape(_ name: String) throws -> [Int] { try XCTUnwrap(tensors[name], name).shape }

    /// Row `b` of `input_ids` without its padding.
    func ids(row b: Int) throws -> [Int] {
        let n = try shape("input_ids")[1]
        let ids = try ints("input_ids"), mask = try ints("attention_mask")
        return (0..<n).filter { mask[b * n + $0] == 1 }.map { ids[b * n + $0] }
    }
}

/// A SentencePiece-style tokenizer over the fixtures' 128 ids, written as a `tokenizer.json`, so
/// that the fixtures' reference rows can be typed as text: id k is the piece `▁t<k>` ("t41" in
/// text), except `[PAD]` 0, `[CLS]` 1, `[SEP]` 2, `[UNK]` 3 and `[MASK]` at `maskId`.
func fixtureTokenizer(maskId: Int) throws -> Tokenizer {
    let special = [0: "[PAD]", 1: "[CLS]", 2: "[SEP]", 3: "[UNK]", maskId: "[MASK]"]
    let vocabulary = (0..<128).map { k -> [Any] in special[k].map { [$0, 0.0] } ?? ["\u{2581}t\(k)", -1.0] }
    let added = special.keys.sorted().map { ["id": $0, "content": special[$0]!, "special": true] as [String: Any] }
    let json: [String: Any] = [
        "version": "1.0",
        "added_tokens": added,
        "normalizer": ["type": "Strip", "strip_left": true, "strip_right": true],
        "pre_tokenizer": ["type": "Metaspace", "replacement": "\u{2581}", "prepend_scheme": "always"],
        "model": ["type": "Unigram", "unk_id": 3, "vocab": vocabulary],
    ]
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("deberta-api-tokenizer-\(maskId)-\(UUID().uuidString).json")
    try JSONSerialization.data(withJSONObject: json).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    return try Tokenizer(tokenizerJSON: file)
}

/// The text that ``fixtureTokenizer(maskId:)`` encodes as `ids` (which start with `[CLS]` and end with `[SEP]`).
func fixtureText(_ ids: [Int], maskId: Int) -> String {
    ids.dropFirst().dropLast().map { $0 == maskId ? "[MASK]" : "t\($0)" }.joined(separator: " ")
}

/// Softmax of a row, by the textbook formula in Double (the reference the API is checked against).
func handSoftmax(_ row: [Double]) -> [Double] {
    let exps = row.map { Foundation.exp($0) }
    let total = exps.reduce(0, +)
    return exps.map { $0 / total }
}

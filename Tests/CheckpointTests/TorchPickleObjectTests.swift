import Foundation
import XCTest
@testable import DeBERTaCheckpoint

/// `TorchPickleFile.loadObject` on the original tokenizer's `bpe_encoder.bin`, saved by torch in both
/// formats. Expected items were printed by `torch.load(..., weights_only=True)` (torch 2.15).
final class TorchPickleObjectTests: XCTestCase {
    func testBPEEncoderZipAndLegacyDecodeToTheSameObject() throws {
        let zipURL = try FixturePaths.requireShared("data/tokenizers/deberta-v1-style/bpe_encoder.bin")
        let legacyURL = try FixturePaths.requireShared("data/tokenizers/deberta-v1-style/bpe_encoder.legacy.bin")
        XCTAssertEqual(try CheckpointFile.format(of: zipURL), .torchZip)
        XCTAssertEqual(try CheckpointFile.format(of: legacyURL), .torchLegacy)
        let fromZip = try TorchPickleFile.loadObject(from: zipURL)
        let fromLegacy = try TorchPickleFile.loadObject(from: legacyURL)
        XCTAssertEqual(fromZip, fromLegacy)

        XCTAssertEqual(fromZip.dictItems?.map(\.key), [.string("encoder"), .string("vocab"), .string("dict_map")])
        let encoder = try XCTUnwrap(fromZip["encoder"]?.dictItems)
        XCTAssertEqual(encoder.count, 50257)
        XCTAssertEqual(encoder[0].key, .string("!"))
        XCTAssertEqual(encoder[0].value, .int(0))
        XCTAssertEqual(encoder[2].key, .string("#"))
        XCTAssertEqual(encoder.last?.key, .string("<|endoftext|>"))
        XCTAssertEqual(encoder.last?.value, .int(50256))
        let vocab = try XCTUnwrap(fromZip["vocab"]?.elements)
        XCTAssertEqual(vocab.count, 50000)
        XCTAssertEqual(vocab[0], .tuple([.string("Ġ"), .string("t")]))
        XCTAssertEqual(vocab[2], .tuple([.string("h"), .string("e")]))
        XCTAssertEqual(vocab.last, .tuple([.string("Ġg"), .string("azed")]))
        let dictMap = try XCTUnwrap(fromZip["dict_map"]?.elements)
        XCTAssertEqual(dictMap.count, 50260)
        XCTAssertEqual(dictMap[0], .tuple([.string("262"), .int(87545)]))
        XCTAssertEqual(dictMap[4], .tuple([.string("257"), .int(39865)]))
    }

    func testLoadTensorsOfAnObjectWithoutTensorsIsEmpty() throws {
        let legacyURL = try FixturePaths.requireShared("data/tokenizers/deberta-v1-style/bpe_encoder.legacy.bin")
        XCTAssertEqual(try CheckpointFile.loadTensors(from: legacyURL).count, 0)
    }
}

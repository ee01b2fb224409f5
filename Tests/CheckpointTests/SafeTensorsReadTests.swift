import Foundation
import XCTest
@testable import DeBERTaCheckpoint

/// Reading the shared fixtures' safetensors files; expected numbers were printed by the Python
/// `safetensors` package (torch 2.15) from the same files.
final class SafeTensorsReadTests: XCTestCase {
    func testReadsV1TinyWeights() throws {
        let folder = try FixturePaths.requireFixtures().appendingPathComponent("deberta-v1-tiny")
        let (tensors, _) = try SafeTensors.read(from: folder.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(tensors.count, 41)
        let word = try XCTUnwrap(tensors["deberta.embeddings.word_embeddings.weight"])
        XCTAssertEqual(word.dtype, .f32)
        XCTAssertEqual(word.shape, [128, 32])
        let values = word.floatValues()
        XCTAssertEqual(Array(values[0..<3]), [0.8701026439666748, 0.174369215965271, 1.4344122409820557])
        XCTAssertEqual(values[127 * 32 + 31], 1.0805450677871704)
        XCTAssertEqual(values.reduce(0.0) { $0 + Double($1) }, -25.472979689329804, accuracy: 1e-9)
    }

    func testReadsInt64ReferenceTensorsAndMetadata() throws {
        let folder = try FixturePaths.requireFixtures().appendingPathComponent("deberta-v1-tiny")
        let (tensors, metadata) = try SafeTensors.read(from: folder.appendingPathComponent("reference.safetensors"))
        XCTAssertEqual(tensors.count, 71)
        XCTAssertNotNil(metadata["info"])
        let ids = try XCTUnwrap(tensors["input_ids"])
        XCTAssertEqual(ids.dtype, .i64)
        XCTAssertEqual(ids.shape, [3, 11])
        XCTAssertEqual(try ids.int64Values(), [1, 5, 27, 81, 116, 39, 50, 11, 95, 60, 2,
                                               1, 58, 105, 125, 119, 65, 3, 2, 0, 0, 0,
                                               1, 93, 117, 71, 2, 0, 0, 0, 0, 0, 0])
        let mask = try XCTUnwrap(tensors["attention_mask"])
        XCTAssertEqual(Array(try mask.int64Values()[22..<33]), [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
        XCTAssertThrowsError(try tensors["last_hidden_state"]!.int64Values())
    }

    func testEveryFixtureSafeTensorsFileLoads() throws {
        let fixtures = try FixturePaths.requireFixtures()
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: fixtures.path))
        var files = 0, references = 0, float64Compared = 0
        for case let path as String in enumerator where path.hasSuffix(".safetensors") {
            let (tensors, _) = try SafeTensors.read(from: fixtures.appendingPathComponent(path))
            XCTAssertFalse(tensors.isEmpty, path)
            files += 1
            guard path.hasSuffix("/reference.safetensors"), !path.contains("original") else { continue }
            references += 1
            // Inputs: int64 [3, 11], [CLS] = 1 first; the float64 output agrees with the float32 one
            // within the README's measured float32 error (≤ 3.1e-6).
            let ids = try XCTUnwrap(tensors["input_ids"], path)
            XCTAssertEqual(ids.dtype, .i64, path)
            XCTAssertEqual(ids.shape, [3, 11], path)
            XCTAssertEqual(try ids.int64Values().enumerated().filter { $0.offset % 11 == 0 }.map(\.element), [1, 1, 1], path)
            if let f32 = tensors["last_hidden_state"], let f64 = tensors["f64.last_hidden_state"] {
                XCTAssertEqual(f64.dtype, .f64, path)
                let a = f32.floatValues(), b = f64.floatValues()
                XCTAssertEqual(a.count, b.count, path)
                XCTAssertLessThan(zip(a, b).map { abs($0 - $1) }.max() ?? 0, 1e-5, path)
                float64Compared += 1
            }
        }
        // 6 tiny folders × (model, heads, reference) + the real-shape reference + the original package's reference.
        XCTAssertEqual(files, 6 * 3 + 2)
        XCTAssertEqual(references, 7)
        XCTAssertEqual(float64Compared, 7)
    }
}

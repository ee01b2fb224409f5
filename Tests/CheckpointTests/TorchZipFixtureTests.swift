import Foundation
import XCTest
@testable import DeBERTaCheckpoint

/// The shared fixtures' `pytorch_model.bin` (torch zip) files against their `model.safetensors` twins,
/// written by transformers from the same state dict: names, shapes and bytes must agree exactly.
final class TorchZipFixtureTests: XCTestCase {
    func testEveryFixtureZipMatchesItsSafeTensors() throws {
        let fixtures = try FixturePaths.requireFixtures()
        let folders = try FileManager.default.contentsOfDirectory(atPath: fixtures.path).sorted()
        var compared = 0, tensors = 0
        for folder in folders {
            let directory = fixtures.appendingPathComponent(folder)
            let safe = directory.appendingPathComponent("model.safetensors")
            let zip = directory.appendingPathComponent("pytorch_model.bin")
            guard FileManager.default.fileExists(atPath: safe.path), FileManager.default.fileExists(atPath: zip.path) else { continue }
            XCTAssertEqual(try CheckpointFile.format(of: zip), .torchZip)
            XCTAssertEqual(try CheckpointFile.format(of: safe), .safeTensors)
            let fromSafe = try CheckpointFile.loadTensors(from: safe)
            let fromZip = try CheckpointFile.loadTensors(from: zip)
            XCTAssertEqual(Set(fromSafe.keys), Set(fromZip.keys), folder)
            XCTAssertGreaterThan(fromZip.count, 30, folder)
            for (name, tensor) in fromSafe {
                let other = try XCTUnwrap(fromZip[name], "\(folder): \(name)")
                XCTAssertEqual(tensor.shape, other.shape, "\(folder): \(name)")
                XCTAssertEqual(tensor.dtype, other.dtype, "\(folder): \(name)")
                XCTAssertEqual(tensor, other, "\(folder): \(name) bytes differ")
                XCTAssertEqual(tensor.floatValues().map(\.bitPattern), other.floatValues().map(\.bitPattern))
                tensors += 1
            }
            compared += 1
        }
        XCTAssertEqual(compared, 6)
        XCTAssertEqual(tensors, 41 + 47 + 43 + 36 + 38 + 51, "tensors of the 6 fixtures")
    }

    func testOriginalPackageCheckpointUsesItsOwnNames() throws {
        let folder = try FixturePaths.requireFixtures().appendingPathComponent("deberta-v1-tiny")
        let original = try CheckpointFile.loadTensors(from: folder.appendingPathComponent("original/pytorch.model.bin"))
        let hf = try SafeTensors.read(from: folder.appendingPathComponent("model.safetensors")).tensors
        for name in ["embeddings.word_embeddings.weight", "embeddings.LayerNorm.bias", "encoder.rel_embeddings.weight",
                     "encoder.layer.1.output.dense.weight", "encoder.layer.0.attention.output.LayerNorm.weight"] {
            XCTAssertEqual(original[name], hf["deberta." + name], name)
        }
        // The split projections of 0.1.12 against HF's fused, per-head interleaved in_proj (README mapping):
        // query_proj.weight[k·d + e, :] = in_proj.weight[3dk + e, :], head dim d = 8, 4 heads, H = 32.
        let fused = try XCTUnwrap(hf["deberta.encoder.layer.0.attention.self.in_proj.weight"]).floatValues()
        for (split, part) in [("query_proj", 0), ("key_proj", 1), ("value_proj", 2)] {
            let weight = try XCTUnwrap(original["encoder.layer.0.attention.self.\(split).weight"])
            XCTAssertEqual(weight.shape, [32, 32])
            let values = weight.floatValues()
            for k in 0..<4 {
                for e in 0..<8 {
                    let row = Array(values[(k * 8 + e) * 32..<(k * 8 + e + 1) * 32])
                    let source = (3 * 8 * k + part * 8 + e) * 32
                    XCTAssertEqual(row, Array(fused[source..<source + 32]), "\(split) head \(k) row \(e)")
                }
            }
        }
        XCTAssertEqual(original["encoder.layer.1.attention.self.query_proj.bias"],
                       hf["deberta.encoder.layer.1.attention.self.q_bias"])
        XCTAssertEqual(original["encoder.layer.1.attention.self.pos_key_proj.weight"],
                       hf["deberta.encoder.layer.1.attention.self.pos_proj.weight"])
    }
}

import Foundation
import XCTest
@testable import DeBERTaCheckpoint

/// The committed files made by `Scripts/make_legacy_checkpoint.py` (torch 2.15): one state dict in the
/// legacy, zip, big-endian zip and deflated zip forms, against `mixed.expected.safetensors` (each
/// tensor made contiguous by torch, plus torch's own float32 conversions under `as_f32.`).
final class TorchFormatsTests: XCTestCase {
    private let variants = ["mixed.legacy.pt", "mixed.zip.pt", "mixed.bigendian.zip.pt", "mixed.deflated.zip.pt"]

    private func expected() throws -> [String: StoredTensor] {
        try SafeTensors.read(from: FixturePaths.resources.appendingPathComponent("mixed.expected.safetensors")).tensors
    }

    func testEveryVariantMatchesTorchsContiguousTensors() throws {
        let reference = try expected().filter { !$0.key.hasPrefix("as_f32.") }
        XCTAssertEqual(reference.count, 17)
        for variant in variants {
            let url = FixturePaths.resources.appendingPathComponent(variant)
            let tensors = try CheckpointFile.loadTensors(from: url)
            XCTAssertEqual(Set(tensors.keys), Set(reference.keys), variant)  // `config` skipped
            for (name, tensor) in reference {
                XCTAssertEqual(tensors[name]?.dtype, tensor.dtype, "\(variant): \(name)")
                XCTAssertEqual(tensors[name]?.shape, tensor.shape, "\(variant): \(name)")
                XCTAssertEqual(tensors[name], tensor, "\(variant): \(name) bytes differ")
            }
        }
    }

    func testFormatsAreDetected() throws {
        XCTAssertEqual(try CheckpointFile.format(of: FixturePaths.resources.appendingPathComponent("mixed.legacy.pt")), .torchLegacy)
        XCTAssertEqual(try CheckpointFile.format(of: FixturePaths.resources.appendingPathComponent("mixed.zip.pt")), .torchZip)
        XCTAssertEqual(try CheckpointFile.format(of: FixturePaths.resources.appendingPathComponent("mixed.expected.safetensors")), .safeTensors)
    }

    func testFloatConversionsMatchTorch() throws {
        let reference = try expected()
        let tensors = try CheckpointFile.loadTensors(from: FixturePaths.resources.appendingPathComponent("mixed.legacy.pt"))
        for name in ["w.f16", "w.bf16", "w.f64", "view.column", "ids.i64", "flags"] {
            let ours = try XCTUnwrap(tensors[name]).floatValues()
            let torch = try XCTUnwrap(reference["as_f32." + name]).floatValues()
            XCTAssertEqual(ours.count, torch.count, name)
            for (a, b) in zip(ours, torch) {
                XCTAssertTrue(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN), "\(name): \(a) vs \(b)")
            }
        }
        // The special half values written by the script, in order.
        let half = try XCTUnwrap(tensors["w.f16"]).floatValues()
        XCTAssertEqual(half[0], .infinity)
        XCTAssertEqual(half[1], -.infinity)
        XCTAssertTrue(half[2].isNaN)
        XCTAssertEqual(half[3], 0x1p-24)
        XCTAssertEqual(half[4], 3 * 0x1p-20)
        XCTAssertEqual(half[5].bitPattern, (-0.0 as Float).bitPattern)
        XCTAssertEqual(half[6], 65504)
    }

    func testIntegerAndViewValues() throws {
        let tensors = try CheckpointFile.loadTensors(from: FixturePaths.resources.appendingPathComponent("mixed.zip.pt"))
        XCTAssertEqual(try tensors["ids.i64"]!.int64Values(), [1, -2, 3, 1 << 40, -(1 << 62), 0])
        XCTAssertEqual(try tensors["ids.i32"]!.int64Values(), [7, -8, 2_147_483_647])
        XCTAssertEqual(try tensors["ids.i16"]!.int64Values(), [-300, 300])
        XCTAssertEqual(try tensors["ids.i8"]!.int64Values(), [-128, 127])
        XCTAssertEqual(try tensors["ids.u8"]!.int64Values(), [0, 255, 17])
        XCTAssertEqual(try tensors["flags"]!.int64Values(), [1, 0, 1])
        XCTAssertEqual(tensors["scalar"]!.shape, [])
        XCTAssertEqual(tensors["scalar"]!.floatValues(), [2.5])
        XCTAssertEqual(tensors["empty"]!.shape, [0, 4])
        XCTAssertEqual(tensors["empty"]!.floatValues(), [])
        // shared = arange(24) * 0.25 - 3; view.offset = shared[5:17].view(3, 4); view.strided = shared[1::3].
        XCTAssertEqual(tensors["view.offset"]!.floatValues(), (5..<17).map { Float($0) * 0.25 - 3 })
        XCTAssertEqual(tensors["view.strided"]!.floatValues(), stride(from: 1, to: 24, by: 3).map { Float($0) * 0.25 - 3 })
        // view.transposed = w.f32.t()
        let base = tensors["w.f32"]!.floatValues()
        let transposed = tensors["view.transposed"]!.floatValues()
        XCTAssertEqual(tensors["view.transposed"]!.shape, [5, 6])
        for i in 0..<5 { for j in 0..<6 { XCTAssertEqual(transposed[i * 6 + j], base[j * 5 + i]) } }
        XCTAssertEqual(tensors["param"]!.floatValues(), [0.5, -1.5])
    }

    func testLegacyObjectStructure() throws {
        let object = try TorchPickleFile.loadObject(from: FixturePaths.resources.appendingPathComponent("mixed.legacy.pt"))
        let names = try XCTUnwrap(object.dictItems).map { $0.key.stringValue ?? "?" }
        XCTAssertEqual(names, ["w.f32", "w.f16", "w.bf16", "w.f64", "ids.i64", "ids.i32", "ids.i16", "ids.i8", "ids.u8",
                               "flags", "scalar", "empty", "view.transposed", "view.offset", "view.strided",
                               "view.column", "param", "config"])
        XCTAssertEqual(object["config"], .dict([(.string("hidden_size"), .int(32)), (.string("pos_att_type"), .string("c2p|p2c")),
                                               (.string("dropout"), .float(0.1)), (.string("layers"), .list([.int(1), .int(2)]))]))
        guard case .tensor(let offsetView) = object["view.offset"], case .tensor(let stridedView) = object["view.strided"],
              case .tensor(let parameter) = object["param"], case .tensor(let column) = object["view.column"] else {
            return XCTFail("expected tensor references")
        }
        XCTAssertEqual(offsetView.storageOffset, 5)
        XCTAssertEqual(offsetView.strides, [4, 1])
        XCTAssertEqual(stridedView.storageOffset, 1)
        XCTAssertEqual(stridedView.strides, [3])
        XCTAssertEqual(offsetView.storage.key, stridedView.storage.key)
        XCTAssertEqual(offsetView.storage.elementCount, 24)
        XCTAssertEqual(column.storage.dtype, .f16)
        XCTAssertEqual(column.storageOffset, 1)
        XCTAssertEqual(column.strides, [4])
        XCTAssertTrue(parameter.requiresGrad)
        XCTAssertEqual(parameter.storage.location, "cpu")
    }
}

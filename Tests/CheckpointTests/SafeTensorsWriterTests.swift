import DeBERTaFiles
import DeBERTaTestSupport
import Foundation
import XCTest
@testable import DeBERTaCheckpoint

/// The safetensors writer: round trips, layout rules and atomic replacement.
final class SafeTensorsWriterTests: XCTestCase {
    private func sampleTensors() throws -> [String: StoredTensor] {
        [
            "b.f32": StoredTensor(float32: [1.5, -2, .infinity, 0x1p-140], shape: [2, 2]),
            "a.i64": StoredTensor(int64: [Int64.min, -1, 0, Int64.max], shape: [4]),
            "c.scalar": StoredTensor(float32: [3], shape: []),
            "d.empty": StoredTensor(float32: [], shape: [0, 5]),
            "e.f16": try StoredTensor(dtype: .f16, shape: [3], littleEndianBytes: Data([0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00])),
            "f.u8": try StoredTensor(dtype: .u8, shape: [3], littleEndianBytes: Data([1, 2, 255])),
            "g.bool": try StoredTensor(dtype: .bool, shape: [2], littleEndianBytes: Data([1, 0])),
            "h.bf16": try StoredTensor(dtype: .bf16, shape: [1], littleEndianBytes: Data([0x80, 0x3F])),
            "i.f64": try StoredTensor(dtype: .f64, shape: [1], littleEndianBytes: Data((0.1 as Double).bitPattern.littleEndianBytes)),
            "名前 \"quoted\"": StoredTensor(float32: [7], shape: [1]),
        ]
    }

    func testRoundTripPreservesEverything() throws {
        let tensors = try sampleTensors()
        let url = try makeTemporaryDirectory().appendingPathComponent("round.safetensors")
        try SafeTensors.write(tensors, metadata: ["format": "pt", "note": "line\nbreak"], to: url)
        let (read, metadata) = try SafeTensors.read(from: url)
        XCTAssertEqual(metadata, ["format": "pt", "note": "line\nbreak"])
        XCTAssertEqual(read, tensors)
        XCTAssertEqual(read["e.f16"]?.floatValues(), [1, -2, 0x1p-24])
        XCTAssertEqual(read["h.bf16"]?.floatValues(), [1])
        XCTAssertEqual(read["g.bool"]?.floatValues(), [1, 0])
        XCTAssertEqual(try read["a.i64"]?.int64Values(), [Int64.min, -1, 0, Int64.max])
        XCTAssertEqual(read["b.f32"]?.floatValues(), [1.5, -2, .infinity, 0x1p-140])
    }

    func testLayout() throws {
        let url = try makeTemporaryDirectory().appendingPathComponent("layout.safetensors")
        try SafeTensors.write(try sampleTensors(), metadata: ["format": "pt"], to: url)
        let bytes = Array(try Data(contentsOf: url))
        let length = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        XCTAssertEqual((8 + length) % 8, 0)
        let header = String(decoding: bytes[8..<8 + length], as: UTF8.self)
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        XCTAssertTrue(header.hasPrefix(trimmed), "padding must be trailing spaces only")
        XCTAssertTrue(trimmed.hasPrefix("{\"__metadata__\":{\"format\":\"pt\"},\"a.i64\":{\"dtype\":\"I64\",\"shape\":[4],\"data_offsets\":[0,32]},\"b.f32\""))
        // Keys appear sorted, and every tensor starts at a multiple of its element size.
        let (tensors, _) = try SafeTensors.read(from: url)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any])
        let names = tensors.keys.sorted()
        var positions: [String.Index] = []
        for name in names {
            let range = try XCTUnwrap(trimmed.range(of: JSONWriter.quoted(name) + ":"))
            positions.append(range.lowerBound)
            let entry = try XCTUnwrap(json[name] as? [String: Any])
            let offsets = try XCTUnwrap(entry["data_offsets"] as? [Int])
            XCTAssertEqual(offsets[0] % tensors[name]!.dtype.byteSize, 0, name)
        }
        XCTAssertEqual(positions, positions.sorted())
        XCTAssertEqual(bytes.count, 8 + length + tensors.values.reduce(0) { $0 + $1.elementCount * $1.dtype.byteSize })
    }

    func testFixtureRoundTripAndAtomicReplace() throws {
        let source = try FixturePaths.requireFixtures().appendingPathComponent("deberta-v2-tiny/model.safetensors")
        let (tensors, metadata) = try SafeTensors.read(from: source)
        let directory = try makeTemporaryDirectory()
        let url = directory.appendingPathComponent("copy.safetensors")
        try SafeTensors.write(["x": StoredTensor(float32: [1], shape: [1])], metadata: nil, to: url)
        try SafeTensors.write(tensors, metadata: metadata, to: url)  // replaces the first file
        let (again, metadataAgain) = try SafeTensors.read(from: url)
        XCTAssertEqual(again, tensors)
        XCTAssertEqual(metadataAgain, metadata)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["copy.safetensors"])
    }

    func testWriteErrors() throws {
        assertCheckpointError(["cannot create temporary file"]) {
            try SafeTensors.write([:], metadata: nil, to: URL(fileURLWithPath: "/nonexistent-dir/x.safetensors"))
        }
        let url = try makeTemporaryDirectory().appendingPathComponent("bad.safetensors")
        assertCheckpointError(["a tensor cannot be named '__metadata__'"]) {
            try SafeTensors.write(["__metadata__": StoredTensor(float32: [1], shape: [1])], metadata: nil, to: url)
        }
        assertCheckpointError(["<memory>", "3 bytes do not match shape [2] of F16"]) {
            try StoredTensor(dtype: .f16, shape: [2], littleEndianBytes: Data([1, 2, 3]))
        }
    }
}

private extension UInt64 {
    var littleEndianBytes: [UInt8] { (0..<8).map { UInt8((self >> (8 * UInt64($0))) & 0xFF) } }
}

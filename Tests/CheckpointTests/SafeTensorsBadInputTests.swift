import Foundation
import XCTest
@testable import DeBERTaCheckpoint

/// Malformed safetensors files: each must throw a CheckpointError naming the problem.
final class SafeTensorsBadInputTests: XCTestCase {
    private func read(_ bytes: [UInt8]) throws -> [String: StoredTensor] {
        try SafeTensors.read(from: try writeTemporaryFile(bytes, named: "bad.safetensors")).tensors
    }

    private func entry(_ name: String, _ dtype: String, _ shape: [Int], _ begin: Int, _ end: Int) -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(begin),\(end)]}"
    }

    func testTruncatedFile() {
        assertCheckpointError(["bad.safetensors", "5 bytes long", "too short"]) { try read([1, 2, 3, 4, 5]) }
    }

    func testHeaderLengthPastEndOfFile() {
        assertCheckpointError(["header length 1000 runs past the end of the file"]) {
            try read(TestFiles.safeTensors(header: "{}", declaredLength: 1000))
        }
        assertCheckpointError(["exceeds the 100000000-byte limit"]) {
            try read(TestFiles.safeTensors(header: "{}", declaredLength: 1 << 40))
        }
    }

    func testOffsetsPastEnd() {
        assertCheckpointError(["tensor 'a'", "[0, 8] lie outside the 4-byte data buffer"]) {
            try read(TestFiles.safeTensors(header: "{\(entry("a", "F32", [2], 0, 8))}", data: [0, 0, 0, 0]))
        }
    }

    func testOverlappingRanges() {
        let header = "{\(entry("a", "F32", [2], 0, 8)),\(entry("b", "F32", [2], 4, 12))}"
        assertCheckpointError(["tensors 'a' [0, 8] and 'b' [4, 12] overlap"]) {
            try read(TestFiles.safeTensors(header: header, data: [UInt8](repeating: 0, count: 12)))
        }
    }

    func testSizeMismatch() {
        assertCheckpointError(["tensor 'a'", "span 8 bytes but shape [3] of F32 needs 12 bytes"]) {
            try read(TestFiles.safeTensors(header: "{\(entry("a", "F32", [3], 0, 8))}", data: [UInt8](repeating: 0, count: 8)))
        }
    }

    func testUnknownDtype() {
        assertCheckpointError(["tensor 'a' has unsupported dtype 'F8_E4M3'"]) {
            try read(TestFiles.safeTensors(header: "{\(entry("a", "F8_E4M3", [2], 0, 2))}", data: [0, 0]))
        }
    }

    func testInvalidJSON() {
        assertCheckpointError(["header is not valid JSON"]) { try read(TestFiles.safeTensors(header: "{\"a\": }")) }
        assertCheckpointError(["header does not start with '{'"]) { try read(TestFiles.safeTensors(header: "[1]")) }
        assertCheckpointError(["header is not valid UTF-8"]) { try read(TestFiles.safeTensors(header: "{\"\u{1}\"}") .map { $0 == 1 ? 0xFF : $0 }) }
    }

    func testDuplicateNamesNegativeShapesAndBadMetadata() {
        let a = entry("a", "U8", [1], 0, 1)
        assertCheckpointError(["duplicate tensor name 'a'"]) { try read(TestFiles.safeTensors(header: "{\(a),\(a)}", data: [0])) }
        assertCheckpointError(["tensor 'a'", "not a non-negative integer"]) {
            try read(TestFiles.safeTensors(header: "{\(entry("a", "U8", [-1], 0, 1))}", data: [0]))
        }
        assertCheckpointError(["'__metadata__' value for 'x' is the number 1, expected a string"]) {
            try read(TestFiles.safeTensors(header: "{\"__metadata__\":{\"x\":1}}"))
        }
        assertCheckpointError(["tensor 'a' has no 'dtype'"]) {
            try read(TestFiles.safeTensors(header: "{\"a\":{\"shape\":[1],\"data_offsets\":[0,1]}}", data: [0]))
        }
    }

    func testValidEdgeCasesAreAccepted() throws {
        // Scalar, empty tensor, padded header, metadata, a gap-free layout.
        let header = "{\"__metadata__\":{\"format\":\"pt\"},\(entry("s", "F64", [], 0, 8)),\(entry("e", "F32", [0, 3], 8, 8))}   "
        var value = (1.25 as Double).bitPattern.littleEndian
        let data = withUnsafeBytes(of: &value) { Array($0) }
        let url = try writeTemporaryFile(TestFiles.safeTensors(header: header, data: data))
        let (tensors, metadata) = try SafeTensors.read(from: url)
        XCTAssertEqual(metadata, ["format": "pt"])
        XCTAssertEqual(tensors["s"]?.shape, [])
        XCTAssertEqual(tensors["s"]?.floatValues(), [1.25])
        XCTAssertEqual(tensors["e"]?.elementCount, 0)
    }
}

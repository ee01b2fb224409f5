import DeBERTaFiles
import DeBERTaTestSupport
import Foundation
import XCTest
@testable import DeBERTaCheckpoint

/// Broken torch checkpoints (built from the committed `mixed.*` files): clear errors, no crash.
final class TorchBadInputTests: XCTestCase {
    private let zipURL = FixturePaths.resources.appendingPathComponent("mixed.zip.pt")
    private let legacyURL = FixturePaths.resources.appendingPathComponent("mixed.legacy.pt")

    func testZipWithoutDataPickle() throws {
        let url = try writeTemporaryFile(TestFiles.zip([("archive/version", Array("3\n".utf8))]), named: "nopkl.pt")
        assertCheckpointError(["nopkl.pt", "no '<root>/data.pkl' entry"]) { try CheckpointFile.loadTensors(from: url) }
    }

    func testZipWithMissingStorageRecord() throws {
        let members = try TestFiles.zipMembers(of: zipURL)
        XCTAssertTrue(members.contains { $0.path == "mixed.zip/data/0" })
        let url = try writeTemporaryFile(TestFiles.zip(members.filter { $0.path != "mixed.zip/data/0" }), named: "missing.pt")
        assertCheckpointError(["missing.pt", "storage record 'mixed.zip/data/0'", "is missing from the archive"]) {
            try CheckpointFile.loadTensors(from: url)
        }
        // The rebuilt archive with every member loads and matches the original.
        let complete = try writeTemporaryFile(TestFiles.zip(members), named: "complete.pt")
        XCTAssertEqual(try CheckpointFile.loadTensors(from: complete), try CheckpointFile.loadTensors(from: zipURL))
    }

    func testZip64ArchiveLoads() throws {
        let members = try TestFiles.zipMembers(of: zipURL)
        let url = try writeTemporaryFile(TestFiles.zip(members, zip64: true), named: "zip64.pt")
        XCTAssertEqual(try CheckpointFile.loadTensors(from: url), try CheckpointFile.loadTensors(from: zipURL))
    }

    func testZipWithShortStorageRecord() throws {
        let members = try TestFiles.zipMembers(of: zipURL).map { member in
            member.path == "mixed.zip/data/0" ? (member.path, Array(member.data.dropLast(4))) : member
        }
        let url = try writeTemporaryFile(TestFiles.zip(members), named: "short.pt")
        assertCheckpointError(["short.pt", "storage '0' holds", "bytes, expected"]) { try CheckpointFile.loadTensors(from: url) }
    }

    func testZipWithUnknownByteOrder() throws {
        let members = try TestFiles.zipMembers(of: zipURL).map { member in
            member.path == "mixed.zip/byteorder" ? (member.path, Array("middle".utf8)) : member
        }
        let url = try writeTemporaryFile(TestFiles.zip(members), named: "order.pt")
        assertCheckpointError(["unknown byteorder 'middle'"]) { try CheckpointFile.loadTensors(from: url) }
    }

    func testTruncatedZip() throws {
        let bytes = Array(try Data(contentsOf: zipURL))
        let url = try writeTemporaryFile(Array(bytes.prefix(bytes.count / 2)), named: "half.pt")
        assertCheckpointError(["half.pt", "end-of-central-directory record not found"]) { try CheckpointFile.loadTensors(from: url) }
    }

    func testTruncatedLegacyFile() throws {
        let bytes = Array(try Data(contentsOf: legacyURL))
        let url = try writeTemporaryFile(Array(bytes.dropLast(10)), named: "cut.pt")
        assertCheckpointError(["cut.pt", "truncated file: storage"]) { try CheckpointFile.loadTensors(from: url) }
        let early = try writeTemporaryFile(Array(bytes.prefix(300)), named: "early.pt")
        assertCheckpointError(["early.pt", "truncated pickle"]) { try CheckpointFile.loadTensors(from: early) }
    }

    func testLegacyStorageCountMismatch() throws {
        // The first storage record follows the key-list pickle; corrupt its element count.
        var bytes = Array(try Data(contentsOf: legacyURL))
        let file = try MappedFile(url: legacyURL)
        var offset = 0
        for _ in 0..<5 { offset = try Unpickler(data: file.bytes, start: offset, file: "x").load().end }
        bytes[offset] &+= 1
        let url = try writeTemporaryFile(bytes, named: "count.pt")
        assertCheckpointError(["count.pt", "elements, the object expects"]) { try CheckpointFile.loadTensors(from: url) }
    }

    func testNotACheckpoint() throws {
        let url = try writeTemporaryFile(Array("hello, this is text".utf8), named: "text.bin")
        assertCheckpointError(["text.bin", "unrecognised checkpoint format"]) { try CheckpointFile.loadTensors(from: url) }
        assertCheckpointError(["cannot open file"]) {
            try CheckpointFile.loadTensors(from: URL(fileURLWithPath: "/nonexistent/checkpoint.bin"))
        }
        let directory = try makeTemporaryDirectory()
        assertCheckpointError(["not a regular file"]) { try CheckpointFile.loadTensors(from: directory) }
    }
}

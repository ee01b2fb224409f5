import DeBERTaTestSupport
import Foundation
import XCTest
@testable import DeBERTaCheckpoint

/// The bookkeeping members of a torch zip (`version`, `.format_version`, `.storage_alignment`): a
/// member that cannot be read or does not hold what its name says is refused, naming the member,
/// instead of the archive loading without a word.
final class TorchZipBookkeepingTests: XCTestCase {
    private let zipURL = FixturePaths.resources.appendingPathComponent("mixed.zip.pt")

    /// The committed archive with `path` replaced by `data` (and declared deflated when asked).
    private func archive(replacing path: String, with data: [UInt8], deflated: Bool = false, named name: String) throws -> URL {
        let members = try TestFiles.zipMembers(of: zipURL)
        XCTAssertTrue(members.contains { $0.path == path }, "the fixture has \(path)")
        let replaced = members.map { $0.path == path ? ($0.path, data) : $0 }
        return try writeTemporaryFile(TestFiles.zip(replaced, deflated: deflated ? [path] : []), named: name)
    }

    func testTheFixtureHasReadableBookkeeping() throws {
        let members = try TestFiles.zipMembers(of: zipURL)
        let text = { (path: String) in String(decoding: members.first { $0.path == path }!.data, as: UTF8.self) }
        XCTAssertEqual(text("mixed.zip/version"), "3\n")
        XCTAssertEqual(text("mixed.zip/.storage_alignment"), "64")
        XCTAssertEqual(text("mixed.zip/.format_version"), "1")
        XCTAssertFalse(try CheckpointFile.loadTensors(from: zipURL).isEmpty)
    }

    func testUnreadableVersionMemberIsRefused() throws {
        // Declared DEFLATE, but the bytes are no deflate stream: extraction fails.
        let url = try archive(replacing: "mixed.zip/version", with: [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x13], deflated: true, named: "unreadable.pt")
        assertCheckpointError(["unreadable.pt", "zip member 'mixed.zip/version'", "unreadable"]) { try CheckpointFile.loadTensors(from: url) }
    }

    func testVersionThatIsNotANumberIsRefused() throws {
        let url = try archive(replacing: "mixed.zip/version", with: Array("banana\n".utf8), named: "banana.pt")
        assertCheckpointError(["banana.pt", "zip member 'mixed.zip/version'", "\"banana\", not a number"]) { try CheckpointFile.loadTensors(from: url) }
        let binary = try archive(replacing: "mixed.zip/version", with: [0xC3, 0x28], named: "binary.pt")
        assertCheckpointError(["binary.pt", "mixed.zip/version", "is not text"]) { try CheckpointFile.loadTensors(from: binary) }
    }

    func testVersionOutsidePyTorchsRangeIsRefused() throws {
        let url = try archive(replacing: "mixed.zip/version", with: Array("99\n".utf8), named: "future.pt")
        assertCheckpointError(["future.pt", "format version 99 is not one PyTorch reads (1–10)"]) { try CheckpointFile.loadTensors(from: url) }
        let zero = try archive(replacing: "mixed.zip/version", with: Array("0".utf8), named: "zero.pt")
        assertCheckpointError(["zero.pt", "format version 0"]) { try CheckpointFile.loadTensors(from: zero) }
    }

    func testBadStorageAlignmentAndFormatVersionAreRefused() throws {
        let odd = try archive(replacing: "mixed.zip/.storage_alignment", with: Array("48".utf8), named: "align48.pt")
        assertCheckpointError(["align48.pt", "'mixed.zip/.storage_alignment'", "storage alignment 48 is not a power of two"]) {
            try CheckpointFile.loadTensors(from: odd)
        }
        let garbage = try archive(replacing: "mixed.zip/.storage_alignment", with: Array("sixty-four".utf8), named: "align.pt")
        assertCheckpointError(["align.pt", ".storage_alignment", "not a number"]) { try CheckpointFile.loadTensors(from: garbage) }
        let unreadable = try archive(replacing: "mixed.zip/.storage_alignment", with: [1, 2, 3], deflated: true, named: "align-z.pt")
        assertCheckpointError(["align-z.pt", ".storage_alignment", "unreadable"]) { try CheckpointFile.loadTensors(from: unreadable) }
        let format = try archive(replacing: "mixed.zip/.format_version", with: Array("0".utf8), named: "format.pt")
        assertCheckpointError(["format.pt", ".format_version", "format version 0 must be at least 1"]) { try CheckpointFile.loadTensors(from: format) }
    }

    /// Older writers leave the members out; that is not damage.
    func testAbsentBookkeepingMembersAreFine() throws {
        let members = try TestFiles.zipMembers(of: zipURL).filter {
            !["mixed.zip/version", "mixed.zip/.storage_alignment", "mixed.zip/.format_version"].contains($0.path)
        }
        let url = try writeTemporaryFile(TestFiles.zip(members), named: "bare.pt")
        XCTAssertEqual(try CheckpointFile.loadTensors(from: url), try CheckpointFile.loadTensors(from: zipURL))
    }
}

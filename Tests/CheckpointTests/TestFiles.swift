import DeBERTaFiles
import DeBERTaTestSupport
import Foundation
import XCTest
@testable import DeBERTaCheckpoint

/// Helpers that write throw-away input files for the tests.
enum TestFiles {
    /// A safetensors file: 8-byte length, the given header text, then `data`.
    static func safeTensors(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        let json = Array(header.utf8)
        var length = declaredLength ?? UInt64(json.count)
        var bytes = withUnsafeBytes(of: &length) { Array($0) }
        bytes += json
        bytes += data
        return bytes
    }

    /// A minimal ZIP archive (STORED members, no data descriptors) holding `members` in order. With
    /// `zip64`, every size and offset in the central directory is moved into Zip64 extra fields and
    /// the archive ends with Zip64 end-of-central-directory records, as in archives over 4 GiB.
    ///
    /// Members named in `deflated` are declared DEFLATE-compressed (method 8) with their bytes written
    /// as given, so that garbage bytes make a member that cannot be extracted.
    static func zip(_ members: [(path: String, data: [UInt8])], zip64: Bool = false, deflated: Set<String> = []) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        func le64(_ v: Int) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        let saturated32 = 0xFFFF_FFFF
        var out: [UInt8] = []
        var central: [UInt8] = []
        for member in members {
            let name = Array(member.path.utf8)
            let offset = out.count
            let crc = Int(crc32(member.data))
            let method = deflated.contains(member.path) ? 8 : 0
            out += le32(0x0403_4B50) + le16(zip64 ? 45 : 20) + le16(0) + le16(method) + le16(0) + le16(0)
            out += le32(crc) + le32(member.data.count) + le32(member.data.count) + le16(name.count) + le16(0)
            out += name + member.data
            let extra = zip64 ? le16(0x0001) + le16(24) + le64(member.data.count) + le64(member.data.count) + le64(offset) : []
            central += le32(0x0201_4B50) + le16(45) + le16(45) + le16(0) + le16(method) + le16(0) + le16(0) + le32(crc)
            central += zip64 ? le32(saturated32) + le32(saturated32) : le32(member.data.count) + le32(member.data.count)
            central += le16(name.count) + le16(extra.count) + le16(0) + le16(0) + le16(0) + le32(0)
            central += le32(zip64 ? saturated32 : offset) + name + extra
        }
        let directoryOffset = out.count
        out += central
        if zip64 {
            let record = out.count
            out += le32(0x0606_4B50) + le64(44) + le16(45) + le16(45) + le32(0) + le32(0)
            out += le64(members.count) + le64(members.count) + le64(central.count) + le64(directoryOffset)
            out += le32(0x0706_4B50) + le32(0) + le64(record) + le32(1)
            out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(0xFFFF) + le16(0xFFFF)
            out += le32(saturated32) + le32(saturated32) + le16(0)
        } else {
            out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(members.count) + le16(members.count)
            out += le32(central.count) + le32(directoryOffset) + le16(0)
        }
        return out
    }

    /// CRC-32 (IEEE) of `bytes`.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    /// The members of an existing zip file, read with the module's own directory reader.
    static func zipMembers(of url: URL) throws -> [(path: String, data: [UInt8])] {
        let file = try MappedFile(url: url)
        let directory = try ZipDirectory(file: file)
        return try directory.entries.map { entry in
            let start = try directory.dataOffset(of: entry)
            return (entry.path, Array(file.bytes[start..<start + entry.uncompressedSize]))
        }
    }
}

extension XCTestCase {
    /// Writes `bytes` to `name` inside a fresh temporary directory and returns its URL.
    func writeTemporaryFile(_ bytes: [UInt8], named name: String = "input.bin") throws -> URL {
        let url = try makeTemporaryDirectory(prefix: "CheckpointTests").appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// Asserts that `body` throws a ``CheckpointError`` whose description contains every string of `fragments`.
    func assertCheckpointError<T>(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                                  _ body: () throws -> T) {
        do {
            _ = try body()
            XCTFail("expected a CheckpointError containing \(fragments)", file: file, line: line)
        } catch let error as CheckpointError {
            for fragment in fragments {
                XCTAssertTrue(error.description.contains(fragment), "'\(error.description)' lacks '\(fragment)'", file: file, line: line)
            }
        } catch {
            XCTFail("unexpected error type \(type(of: error)): \(error)", file: file, line: line)
        }
    }
}

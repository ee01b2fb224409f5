import DeBERTaFiles
/// The central directory of a ZIP archive held in a ``MappedFile``, read without copying the archive.
///
/// Supports Zip64 (archives and entries over 4 GiB). Used to locate the STORED records of PyTorch
/// checkpoints so their bytes can be viewed in place; compressed records are extracted through
/// ZIPFoundation instead (see ``TorchZipCheckpoint``).
struct ZipDirectory {
    /// One archive member.
    struct Entry {
        let path: String
        /// 0 = stored, 8 = deflate, …
        let method: UInt16
        let flags: UInt16
        let compressedSize: Int
        let uncompressedSize: Int
        let localHeaderOffset: Int
    }

    let file: MappedFile
    /// Entries in central-directory order.
    let entries: [Entry]

    private static let endSignature: UInt32 = 0x0605_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let zip64EndSignature: UInt32 = 0x0606_4B50
    private static let centralSignature: UInt32 = 0x0201_4B50
    private static let localSignature: UInt32 = 0x0403_4B50

    /// Reads the end-of-central-directory record and every central-directory entry.
    init(file: MappedFile) throws {
        self.file = file
        let bytes = file.bytes
        func fail(_ message: String) -> CheckpointError { CheckpointError(file: file.path, message: "zip archive: \(message)") }
        func u16(_ offset: Int) -> UInt16 { UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8 }
        func u32(_ offset: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) } }
        func u64(_ offset: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) } }

        // End of central directory: 22 bytes + up to 65535 bytes of comment, searched backwards.
        guard bytes.count >= 22 else { throw fail("file too short for a zip archive") }
        var end = -1
        var candidate = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65535)
        while candidate >= lowest {
            if u32(candidate) == Self.endSignature, candidate + 22 + Int(u16(candidate + 20)) <= bytes.count { end = candidate; break }
            candidate -= 1
        }
        guard end >= 0 else { throw fail("end-of-central-directory record not found (truncated or not a zip file)") }

        var entryCount = UInt64(u16(end + 10))
        var directorySize = UInt64(u32(end + 12))
        var directoryOffset = UInt64(u32(end + 16))
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            let locator = end - 20
            guard locator >= 0, u32(locator) == Self.zip64LocatorSignature else { throw fail("Zip64 locator missing") }
            let record = u64(locator + 8)
            guard bytes.count >= 56, record <= UInt64(bytes.count - 56), u32(Int(record)) == Self.zip64EndSignature else {
                throw fail("Zip64 end-of-central-directory record missing")
            }
            entryCount = u64(Int(record) + 32)
            directorySize = u64(Int(record) + 40)
            directoryOffset = u64(Int(record) + 48)
        }
        guard directoryOffset <= UInt64(bytes.count), directorySize <= UInt64(bytes.count) - directoryOffset else {
            throw fail("central directory lies outside the file")
        }
        guard entryCount <= directorySize / 46 else { throw fail("central directory claims \(entryCount) entries in \(directorySize) bytes") }

        var entries: [Entry] = []
        entries.reserveCapacity(Int(entryCount))
        var offset = Int(directoryOffset)
        let directoryEnd = Int(directoryOffset + directorySize)
        for _ in 0..<Int(entryCount) {
            guard offset + 46 <= directoryEnd, u32(offset) == Self.centralSignature else {
                throw fail("corrupt central directory entry at byte \(offset)")
            }
            let nameLength = Int(u16(offset + 28))
            let extraLength = Int(u16(offset + 30))
            let commentLength = Int(u16(offset + 32))
            guard offset + 46 + nameLength + extraLength + commentLength <= directoryEnd else {
                throw fail("central directory entry at byte \(offset) runs past the directory")
            }
            let path = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            var compressed = UInt64(u32(offset + 20))
            var uncompressed = UInt64(u32(offset + 24))
            var local = UInt64(u32(offset + 42))
            // Zip64 extended information: 64-bit values for the fields saturated above, in this order.
            var extra = offset + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = u16(extra)
                let size = Int(u16(extra + 2))
                guard extra + 4 + size <= extraEnd else { throw fail("corrupt extra field for '\(path)'") }
                if id == 0x0001 {
                    var field = extra + 4
                    func next() throws -> UInt64 {
                        guard field + 8 <= extra + 4 + size else { throw fail("short Zip64 field for '\(path)'") }
                        defer { field += 8 }
                        return u64(field)
                    }
                    if uncompressed == 0xFFFF_FFFF { uncompressed = try next() }
                    if compressed == 0xFFFF_FFFF { compressed = try next() }
                    if local == 0xFFFF_FFFF { local = try next() }
                }
                extra += 4 + size
            }
            guard compressed <= UInt64(bytes.count), uncompressed <= UInt64(Int.max), local <= UInt64(bytes.count) else {
                throw fail("entry '\(path)' has sizes or offsets beyond the file")
            }
            entries.append(Entry(path: path, method: u16(offset + 10), flags: u16(offset + 8),
                                 compressedSize: Int(compressed), uncompressedSize: Int(uncompressed),
                                 localHeaderOffset: Int(local)))
            offset += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// The entry named exactly `path`.
    func entry(_ path: String) -> Entry? { entries.first { $0.path == path } }

    /// Offset of the first data byte of a member, from its local header, checked to lie in the file.
    func dataOffset(of entry: Entry) throws -> Int {
        let bytes = file.bytes
        func fail(_ message: String) -> CheckpointError { CheckpointError(file: file.path, message: "zip archive: \(message)") }
        let header = entry.localHeaderOffset
        guard header + 30 <= bytes.count,
              (0..<4).reduce(UInt32(0), { $0 | UInt32(bytes[header + $1]) << (8 * UInt32($1)) }) == Self.localSignature else {
            throw fail("local header of '\(entry.path)' not found at byte \(header)")
        }
        let nameLength = Int(bytes[header + 26]) | Int(bytes[header + 27]) << 8
        let extraLength = Int(bytes[header + 28]) | Int(bytes[header + 29]) << 8
        let start = header + 30 + nameLength + extraLength
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw fail("data of '\(entry.path)' runs past the end of the file")
        }
        return start
    }
}

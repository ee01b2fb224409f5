import DeBERTaFiles
import Foundation

/// A legacy `torch.save` stream (PyTorch < 1.6 or `_use_new_zipfile_serialization=False`): pickles of
/// the magic number, the protocol version 1001, a sys-info dict, the object, and the list of storage
/// keys, followed for each key by an int64 element count and the storage's bytes.
///
/// PyTorch writes storage bytes (and, since ~1.0, the count) little-endian whatever the machine, so
/// the sys-info `little_endian` flag only matters for the count of files from old big-endian writers.
struct TorchLegacyCheckpoint {
    let file: MappedFile

    /// `0x1950a86a20f9469cfc6c` as little-endian bytes.
    static let magicNumber: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    private func fail(_ message: String) -> CheckpointError { CheckpointError(file: file.path, message: message) }

    /// Decodes the pickle starting at byte `start`.
    private func unpickle(at start: Int) throws -> (value: PickleValue, end: Int) {
        try withExtendedLifetime(file) { try Unpickler(data: file.bytes, start: start, file: file.path).load() }
    }

    /// The header pickles and the object: `nil` if the first pickle is not the legacy magic number.
    private func readObject() throws -> (object: PickleValue, littleEndian: Bool, end: Int)? {
        let magic = try unpickle(at: 0)
        guard magic.value == .bigInt(littleEndianBytes: Self.magicNumber) else { return nil }
        let version = try unpickle(at: magic.end)
        guard version.value == .int(1001) else {
            throw fail("unsupported legacy torch.save protocol version \(Unpickler.describe(version.value)) (expected 1001)")
        }
        let info = try unpickle(at: version.end)
        var littleEndian = true
        if let flag = info.value["little_endian"] {
            guard case .bool(let value) = flag else { throw fail("sys_info 'little_endian' is not a bool") }
            littleEndian = value
        }
        let object = try unpickle(at: info.end)
        return (object.value, littleEndian, object.end)
    }

    /// The saved object (tensors as references). A plain pickle without the torch header is returned as is.
    func loadObject() throws -> PickleValue {
        if let header = try readObject() { return header.object }
        return try unpickle(at: 0).value
    }

    /// Every tensor of the saved state dict.
    func loadTensors() throws -> [String: StoredTensor] {
        guard let header = try readObject() else {
            throw fail("not a torch.save file: the first pickle is not the legacy magic number")
        }
        let keyList = try unpickle(at: header.end)
        guard let keyValues = keyList.value.elements else {
            throw fail("storage key list is \(Unpickler.describe(keyList.value)), expected a list")
        }
        let referenced = try TorchStateDict.storages(in: header.object, file: file.path)
        let bytes = file.bytes
        var offset = keyList.end
        var storages: [String: TensorBytes] = [:]
        for keyValue in keyValues {
            guard case .string(let key) = keyValue else { throw fail("storage key list holds \(Unpickler.describe(keyValue))") }
            guard let storage = referenced[key] else { throw fail("storage '\(key)' listed in the file is not used by the saved object") }
            guard storages[key] == nil else { throw fail("storage '\(key)' listed twice") }
            guard offset <= bytes.count - 8 else {
                throw fail("truncated file: storage '\(key)' should start at byte \(offset) but the file has \(bytes.count) bytes")
            }
            let stored = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let raw = UInt64(littleEndian: stored)
            guard raw == UInt64(storage.elementCount) || (!header.littleEndian && UInt64(bigEndian: stored) == UInt64(storage.elementCount)) else {
                throw fail("storage '\(key)' at byte \(offset) has \(raw) elements, the object expects \(storage.elementCount)")
            }
            let (length, overflow) = storage.elementCount.multipliedReportingOverflow(by: storage.dtype.byteSize)
            guard !overflow, length <= bytes.count - offset - 8 else {
                throw fail("truncated file: storage '\(key)' needs \(length) bytes after byte \(offset + 8) but the file has \(bytes.count) bytes")
            }
            storages[key] = TensorBytes(mapping: file, offset: offset + 8, count: length)
            offset += 8 + length
        }
        return try TorchStateDict.tensors(in: header.object, file: file.path, byteSwap: false) { storage, name in
            guard let bytes = storages[storage.key] else {
                throw fail("storage '\(storage.key)' used by tensor '\(name)' is missing from the file's storage list")
            }
            return bytes
        }
    }
}

import DeBERTaFiles
import Foundation
import ZIPFoundation

/// A `torch.save` zip archive (PyTorch ≥ 1.6): `<root>/data.pkl` holds the pickled object and
/// `<root>/data/<key>` the bytes of each storage.
///
/// STORED records (what PyTorch writes) are viewed in place in the memory-mapped file; compressed
/// records, which PyTorch never writes but a re-zipped file may contain, are extracted with
/// ZIPFoundation (CRC-checked).
struct TorchZipCheckpoint {
    let file: MappedFile
    let directory: ZipDirectory
    /// The archive's top folder including the trailing slash (`pytorch_model/`, `archive/`, …), or "".
    let root: String
    private let pickleEntry: ZipDirectory.Entry

    init(file: MappedFile) throws {
        self.file = file
        directory = try ZipDirectory(file: file)
        let candidates = directory.entries.filter { $0.path == "data.pkl" || $0.path.hasSuffix("/data.pkl") }
        let depth = { (entry: ZipDirectory.Entry) in entry.path.split(separator: "/", omittingEmptySubsequences: false).count }
        guard let shallowest = candidates.map(depth).min() else {
            throw CheckpointError(file: file.path, message: "zip archive has no '<root>/data.pkl' entry: not a PyTorch checkpoint")
        }
        let chosen = candidates.filter { depth($0) == shallowest }
        guard chosen.count == 1 else {
            throw CheckpointError(file: file.path, message: "zip archive has several data.pkl entries (\(chosen.map(\.path).joined(separator: ", ")))")
        }
        pickleEntry = chosen[0]
        root = String(pickleEntry.path.dropLast("data.pkl".count))
    }

    /// The bytes of one archive member.
    func recordBytes(_ entry: ZipDirectory.Entry) throws -> TensorBytes {
        guard entry.flags & 1 == 0 else {
            throw CheckpointError(file: file.path, message: "zip entry '\(entry.path)' is encrypted")
        }
        if entry.method == 0 {
            guard entry.compressedSize == entry.uncompressedSize else {
                throw CheckpointError(file: file.path, message: "stored zip entry '\(entry.path)' has compressed size \(entry.compressedSize) ≠ size \(entry.uncompressedSize)")
            }
            return TensorBytes(mapping: file, offset: try directory.dataOffset(of: entry), count: entry.uncompressedSize)
        }
        do {
            let archive = try Archive(url: URL(fileURLWithPath: file.path), accessMode: .read)
            guard let member = archive[entry.path] else {
                throw CheckpointError(file: file.path, message: "zip entry '\(entry.path)' not found by the zip reader")
            }
            var data = Data()
            data.reserveCapacity(min(entry.uncompressedSize, 1 << 30))
            _ = try archive.extract(member, skipCRC32: false) { chunk in
                guard data.count + chunk.count <= entry.uncompressedSize else {
                    throw CheckpointError(file: file.path, message: "zip entry '\(entry.path)' inflates past its declared size")
                }
                data.append(chunk)
            }
            guard data.count == entry.uncompressedSize else {
                throw CheckpointError(file: file.path, message: "zip entry '\(entry.path)' inflated to \(data.count) bytes, expected \(entry.uncompressedSize)")
            }
            return data.withUnsafeBytes { TensorBytes(copying: $0) }
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError(file: file.path, message: "cannot extract zip entry '\(entry.path)': \(error)")
        }
    }

    /// Whether the `byteorder` record says `big` (absent → little endian).
    func isBigEndian() throws -> Bool {
        guard let entry = directory.entry(root + "byteorder") else { return false }
        let bytes = try recordBytes(entry)
        let text = String(decoding: bytes.buffer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        switch text {
        case "little": return false
        case "big": return true
        default: throw CheckpointError(file: file.path, message: "unknown byteorder '\(text)' in '\(entry.path)'")
        }
    }

    /// The decoded `data.pkl` object; tensors are references into the `data/` records.
    func loadObject() throws -> PickleValue {
        let bytes = try recordBytes(pickleEntry)
        let unpickler = Unpickler(data: bytes.buffer, file: "\(file.path) [\(pickleEntry.path)]")
        return try withExtendedLifetime(bytes) { try unpickler.load().value }
    }

    /// Every tensor of the state dict in `data.pkl`.
    func loadTensors() throws -> [String: StoredTensor] {
        try checkBookkeeping()
        let object = try loadObject()
        let bigEndian = try isBigEndian()
        return try TorchStateDict.tensors(in: object, file: file.path, byteSwap: bigEndian) { storage, name in
            let path = root + "data/" + storage.key
            guard let entry = directory.entry(path) else {
                throw CheckpointError(file: file.path, message: "storage record '\(path)' used by tensor '\(name)' is missing from the archive")
            }
            return try recordBytes(entry)
        }
    }
}

import DeBERTaFiles
import Foundation

/// Loading tensors from any supported checkpoint file.
public enum CheckpointFile {
    /// The on-disk formats ``loadTensors(from:)`` recognises.
    public enum Format: Sendable, Equatable {
        /// safetensors (8-byte header length, JSON header, data).
        case safeTensors
        /// `torch.save` zip archive (PyTorch ≥ 1.6 default).
        case torchZip
        /// Legacy `torch.save` pickle stream (`_use_new_zipfile_serialization=False`, PyTorch < 1.6).
        case torchLegacy
    }

    /// Loads every tensor of a checkpoint file, choosing the format from its first bytes (safetensors,
    /// torch zip, torch legacy). Non-tensor entries (e.g. a `config` dict in a state dict) are skipped.
    ///
    /// A sharded checkpoint's index (`model.safetensors.index.json`, `pytorch_model.bin.index.json`:
    /// `weight_map` from tensor name to shard file) loads every shard beside it, keeping from each
    /// shard the tensors the index assigns to it.
    public static func loadTensors(from url: URL) throws -> [String: StoredTensor] {
        if url.lastPathComponent.hasSuffix(".index.json") { return try loadShards(index: url) }
        let file = try MappedFile(url: url)
        switch try detectFormat(file) {
        case .safeTensors: return try SafeTensors.read(mapping: file).tensors
        case .torchZip: return try TorchZipCheckpoint(file: file).loadTensors()
        case .torchLegacy: return try TorchLegacyCheckpoint(file: file).loadTensors()
        }
    }

    private static func loadShards(index url: URL) throws -> [String: StoredTensor] {
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: url)) } catch {
            throw CheckpointError(file: url.path, message: "cannot read the shard index: \(error.localizedDescription)")
        }
        guard let members = try JSONParser.parse(bytes)["weight_map"]?.objectMembers, !members.isEmpty else {
            throw CheckpointError(file: url.path, message: "a shard index needs a non-empty \"weight_map\" object (tensor name → shard file)")
        }
        var shardOf: [String: String] = [:]
        for (key, value) in members {
            guard let name = String(validating: key, as: UTF8.self), let shard = value.stringValue,
                  !shard.contains("/"), !shard.hasPrefix(".") else {
                throw CheckpointError(file: url.path, message: "weight_map entries must map a tensor name to a shard file in the same folder")
            }
            shardOf[name] = shard
        }
        var tensors: [String: StoredTensor] = [:]
        for shard in Set(shardOf.values).sorted() {
            let shardURL = url.deletingLastPathComponent().appendingPathComponent(shard)
            guard FileManager.default.fileExists(atPath: shardURL.path) else {
                throw CheckpointError(file: url.path, message: "the index names \(shard), which is not beside it")
            }
            for (name, tensor) in try loadTensors(from: shardURL) where shardOf[name] == shard { tensors[name] = tensor }
        }
        let missing = shardOf.keys.filter { tensors[$0] == nil }.sorted()
        guard missing.isEmpty else {
            throw CheckpointError(file: url.path, message: "\(missing.count) tensors of the index are not in their shards: \(missing.prefix(5).joined(separator: ", "))")
        }
        return tensors
    }

    /// The format of the file at `url`, judged from its first bytes.
    public static func format(of url: URL) throws -> Format {
        try detectFormat(try MappedFile(url: url))
    }

    /// Sniffs the format: an 8-byte length `N` followed by `{` with `8 + N` inside the file
    /// (safetensors), `PK\x03\x04` (zip), or a pickle PROTO opcode `0x80` (legacy torch stream).
    static func detectFormat(_ file: MappedFile) throws -> Format {
        if let format = sniffFormat(file) { return format }
        if file.count < 9 {
            throw CheckpointError(file: file.path, message: "file is \(file.count) bytes long, too short to be a checkpoint")
        }
        throw CheckpointError(file: file.path, message: "unrecognised checkpoint format (not safetensors, a torch zip archive or a legacy torch pickle)")
    }

    /// The format judged from the first bytes, or `nil` if none matches (see ``detectFormat(_:)``).
    static func sniffFormat(_ file: MappedFile) -> Format? {
        let head = file.prefix(9)
        if head.count == 9, head[8] == UInt8(ascii: "{") {
            let length = head[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if length <= UInt64(file.count) - 8 { return .safeTensors }
        }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .torchZip }
        if head.count >= 2, head[0] == 0x80, head[1] <= 5 { return .torchLegacy }
        if head.count == 9, head[8] == UInt8(ascii: "{") { return .safeTensors }  // the reader reports the bad length
        return nil
    }
}

import DeBERTaFiles
import Foundation

extension SafeTensors {
    /// Writes `tensors` (and optional `__metadata__`) as a safetensors file, atomically.
    ///
    /// Tensor data is laid out by decreasing element size, then by name (as HF does, so every tensor
    /// is aligned to its element size); the header lists `__metadata__` first, then tensors sorted by
    /// name, and is padded with spaces so that `8 + N` is a multiple of 8. Any dtype can be written.
    /// Throws a ``CheckpointError`` for a tensor named `__metadata__` or an I/O failure.
    public static func write(_ tensors: [String: StoredTensor], metadata: [String: String]?, to url: URL) throws {
        guard tensors["__metadata__"] == nil else {
            throw CheckpointError(file: url.path, message: "a tensor cannot be named '__metadata__'")
        }
        let order = tensors.keys.sorted { a, b in
            let sizeA = tensors[a]!.dtype.byteSize, sizeB = tensors[b]!.dtype.byteSize
            return sizeA != sizeB ? sizeA > sizeB : a < b
        }
        var offsets: [String: (begin: Int, end: Int)] = [:]
        var position = 0
        for name in order {
            let count = tensors[name]!.bytes.count
            offsets[name] = (position, position + count)
            position += count
        }

        var members: [String] = []
        if let metadata {
            let pairs = metadata.keys.sorted().map { "\(JSONWriter.quoted($0)):\(JSONWriter.quoted(metadata[$0]!))" }
            members.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        for name in tensors.keys.sorted() {
            let tensor = tensors[name]!
            let range = offsets[name]!
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            members.append("\(JSONWriter.quoted(name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(range.begin),\(range.end)]}")
        }
        var header = Array("{\(members.joined(separator: ","))}".utf8)
        while (8 + header.count) % 8 != 0 { header.append(UInt8(ascii: " ")) }

        let writer = try AtomicFileWriter(destination: url)
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try writer.write($0) }
        try writer.write(header)
        for name in order {
            try tensors[name]!.withUnsafeRawBytes { try writer.write($0) }
        }
        try writer.commit()
    }
}

import DeBERTaFiles
import Foundation

/// Reading and writing the safetensors format: an 8-byte little-endian header length `N`, `N` bytes
/// of UTF-8 JSON describing each tensor, then the tensors' bytes.
public enum SafeTensors {
    /// Largest header accepted, as in the reference implementation (100 MB).
    static let maximumHeaderLength = 100_000_000

    /// Strict RFC 8259, as the reference reader (serde_json) requires: a header with `NaN` or a byte
    /// order mark is not a safetensors file other readers accept. A valid header nests 3 levels.
    static let headerParsing = JSONParser.Options(maximumDepth: 64)

    /// Reads every tensor and the `__metadata__` map of a safetensors file.
    ///
    /// The file is memory-mapped; the returned tensors view the mapping (no copy) and keep it alive.
    /// The header is validated completely before any tensor is returned (dtype, shape, byte ranges
    /// inside the data buffer and not overlapping, unique names); any problem throws a
    /// ``CheckpointError`` naming the file and the tensor.
    public static func read(from url: URL) throws -> (tensors: [String: StoredTensor], metadata: [String: String]) {
        try read(mapping: try MappedFile(url: url))
    }

    /// Parses an already mapped safetensors file.
    static func read(mapping file: MappedFile) throws -> (tensors: [String: StoredTensor], metadata: [String: String]) {
        func fail(_ message: String) -> CheckpointError { CheckpointError(file: file.path, message: message) }
        let bytes = file.bytes
        guard bytes.count >= 8 else {
            throw fail("file is \(bytes.count) bytes long, too short for a safetensors header (at least 8 bytes)")
        }
        let declared = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard declared <= UInt64(maximumHeaderLength) else {
            throw fail("safetensors header length \(declared) exceeds the \(maximumHeaderLength)-byte limit")
        }
        let headerLength = Int(declared)
        guard 8 + headerLength <= bytes.count else {
            throw fail("safetensors header length \(headerLength) runs past the end of the file (\(bytes.count) bytes)")
        }
        let header = Array(bytes[8..<8 + headerLength])
        guard header.first == UInt8(ascii: "{") else {
            throw fail("safetensors header does not start with '{'")
        }
        guard String(bytes: header, encoding: .utf8) != nil else {
            throw fail("safetensors header is not valid UTF-8")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(header, options: headerParsing)
        } catch let error as JSONParser.SyntaxError {
            throw fail("safetensors header is not valid JSON (byte \(8 + error.offset)): \(error.message)")
        }
        guard case .object(let members) = json else { throw fail("safetensors header is not a JSON object") }

        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var sawMetadata = false
        var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
        var names = Set<String>()

        for (nameBytes, value) in members {
            let name = String(decoding: nameBytes, as: UTF8.self)
            if name == "__metadata__" {
                guard !sawMetadata else { throw fail("duplicate '__metadata__' entry in header") }
                sawMetadata = true
                guard case .object(let pairs) = value else { throw fail("'__metadata__' is not a JSON object") }
                for (keyBytes, item) in pairs {
                    let key = String(decoding: keyBytes, as: UTF8.self)
                    guard let text = item.stringValue else {
                        throw fail("'__metadata__' value for '\(key)' is \(item.kindName), expected a string")
                    }
                    guard metadata.updateValue(text, forKey: key) == nil else {
                        throw fail("duplicate '__metadata__' key '\(key)'")
                    }
                }
                continue
            }
            guard names.insert(name).inserted else { throw fail("duplicate tensor name '\(name)' in header") }
            guard case .object(let fields) = value else { throw fail("tensor '\(name)': entry is \(value.kindName), expected an object") }
            func field(_ key: String) throws -> JSONValue {
                let wanted = Array(key.utf8)
                let found = fields.filter { $0.key == wanted }
                guard found.count == 1 else {
                    throw fail(found.isEmpty ? "tensor '\(name)' has no '\(key)'" : "tensor '\(name)' has '\(key)' twice")
                }
                return found[0].value
            }
            guard let dtypeName = try field("dtype").stringValue else { throw fail("tensor '\(name)': 'dtype' is not a string") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw fail("tensor '\(name)' has unsupported dtype '\(dtypeName)'")
            }
            guard case .array(let shapeValues) = try field("shape") else { throw fail("tensor '\(name)': 'shape' is not an array") }
            var shape: [Int] = []
            for dimension in shapeValues {
                guard let size = dimension.nonNegativeInt else {
                    throw fail("tensor '\(name)': shape entry \(dimension.kindName) is not a non-negative integer")
                }
                shape.append(size)
            }
            guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2,
                  let begin = offsets[0].nonNegativeInt, let end = offsets[1].nonNegativeInt else {
                throw fail("tensor '\(name)': 'data_offsets' must be [begin, end] with non-negative integers")
            }
            guard begin <= end, end <= dataLength else {
                throw fail("tensor '\(name)': data_offsets [\(begin), \(end)] lie outside the \(dataLength)-byte data buffer")
            }
            guard let count = StoredTensor.checkedElementCount(shape) else {
                throw fail("tensor '\(name)': shape \(shape) has too many elements")
            }
            let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow, needed == end - begin else {
                throw fail("tensor '\(name)': data_offsets [\(begin), \(end)] span \(end - begin) bytes but shape \(shape) of \(dtype.rawValue) needs \(overflow ? "more than Int.max" : String(needed)) bytes")
            }
            entries.append((name, dtype, shape, begin, end))
        }

        let byPosition = entries.filter { $0.end > $0.begin }.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (previous, next) in zip(byPosition, byPosition.dropFirst()) where next.begin < previous.end {
            throw fail("tensors '\(previous.name)' [\(previous.begin), \(previous.end)] and '\(next.name)' [\(next.begin), \(next.end)] overlap")
        }

        var tensors: [String: StoredTensor] = [:]
        tensors.reserveCapacity(entries.count)
        for entry in entries {
            let view = TensorBytes(mapping: file, offset: dataStart + entry.begin, count: entry.end - entry.begin)
            tensors[entry.name] = StoredTensor(dtype: entry.dtype, shape: entry.shape, bytes: view)
        }
        return (tensors, metadata)
    }
}

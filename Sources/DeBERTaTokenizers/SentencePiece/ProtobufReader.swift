/// A minimal reader of the protocol-buffers wire format, enough to decode `spm.model`.
///
/// Why hand-written rather than swift-protobuf: `ModelProto` needs about twenty scalar fields
/// from three messages, and reading them takes this one small file. Using swift-protobuf would
/// mean generating code from `sentencepiece_model.proto` with `protoc` + `protoc-gen-swift` (neither
/// is installed here, and building the plugin takes minutes), committing the generated code, and
/// adding a dependency to every user of the package. The format is small and stable (the wire
/// format has not changed since proto2), and every length and bound is checked here, so a
/// truncated or garbage file produces an error, never a crash or an endless loop.
struct ProtobufReader {
    /// A wire-format error: what went wrong and at which byte.
    struct Failure: Error { let message: String }

    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position: Int
    private let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>? = nil) {
        self.bytes = bytes
        self.position = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
    }

    var isAtEnd: Bool { position >= end }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = position
        while true {
            guard position < end else { throw Failure(message: "truncated varint at byte \(start)") }
            let b = bytes[position]
            position += 1
            if shift == 63 && b > 1 { throw Failure(message: "varint longer than 64 bits at byte \(start)") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw Failure(message: "varint longer than 10 bytes at byte \(start)") }
        }
    }

    /// Reads a field key: (field number, wire type).
    mutating func readKey() throws -> (field: Int, wireType: WireType) {
        let start = position
        let key = try readVarint()
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw Failure(message: "invalid wire type \(key & 7) at byte \(start)")
        }
        let field = key >> 3
        guard field > 0 && field < (1 << 29) else { throw Failure(message: "invalid field number \(field) at byte \(start)") }
        return (Int(field), wireType)
    }

    mutating func readFixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw Failure(message: "truncated 32-bit value at byte \(position)") }
        var v: UInt32 = 0
        for k in 0..<4 { v |= UInt32(bytes[position + k]) << (8 * UInt32(k)) }
        position += 4
        return v
    }

    mutating func readFixed64() throws -> UInt64 {
        guard end - position >= 8 else { throw Failure(message: "truncated 64-bit value at byte \(position)") }
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(bytes[position + k]) << (8 * UInt64(k)) }
        position += 8
        return v
    }

    /// Reads a length-delimited payload and returns its byte range.
    mutating func readLengthDelimited() throws -> Range<Int> {
        let start = position
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            throw Failure(message: "length \(length) at byte \(start) runs past the end of the enclosing message (the file is truncated or corrupt)")
        }
        let range = position..<position + Int(length)
        position += Int(length)
        return range
    }

    func slice(_ range: Range<Int>) -> [UInt8] { Array(bytes[range]) }

    /// Skips a field of the given wire type (groups included, with their nesting checked).
    mutating func skip(_ wireType: WireType, field: Int, depth: Int = 0) throws {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup:
            guard depth < 64 else { throw Failure(message: "groups nested too deeply at byte \(position)") }
            while true {
                guard !isAtEnd else { throw Failure(message: "unterminated group \(field)") }
                let (inner, innerType) = try readKey()
                if innerType == .endGroup {
                    guard inner == field else { throw Failure(message: "mismatched end of group \(field) at byte \(position)") }
                    return
                }
                try skip(innerType, field: inner, depth: depth + 1)
            }
        case .endGroup:
            throw Failure(message: "unexpected end-group marker for field \(field) at byte \(position)")
        }
    }

    /// Reads a varint field value, checking the wire type.
    mutating func expectVarint(_ wireType: WireType, field: Int, in message: String) throws -> UInt64 {
        guard wireType == .varint else { throw wrongType(field, message) }
        return try readVarint()
    }

    func wrongType(_ field: Int, _ message: String) -> Failure {
        Failure(message: "field \(field) of \(message) has the wrong wire type (byte \(position))")
    }
}

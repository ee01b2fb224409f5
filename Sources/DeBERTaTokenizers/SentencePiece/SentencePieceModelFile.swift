import Foundation

/// The parts of a SentencePiece `ModelProto` (`spm.model`) that encoding and decoding need.
///
/// Field numbers and defaults follow `sentencepiece_model.proto` (proto2): absent fields take
/// their declared defaults; unknown fields are skipped.
public struct SentencePieceModelFile: Sendable {
    /// `ModelProto.SentencePiece.Type`.
    public enum PieceType: Int, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// `TrainerSpec.ModelType`.
    public enum ModelType: Int, Sendable {
        case unigram = 1, bpe = 2, word = 3, character = 4
    }

    /// One vocabulary entry; its id is its index in ``pieces``.
    public struct Piece: Sendable {
        /// The piece text as UTF-8 (`▁` stands for a space).
        public var bytes: [UInt8]
        /// Log-probability score (unigram).
        public var score: Float
        /// Piece type.
        public var type: PieceType
    }

    /// All pieces, in id order.
    public var pieces: [Piece] = []
    /// Segmentation algorithm.
    public var modelType: ModelType = .unigram
    /// `TrainerSpec.treat_whitespace_as_suffix`.
    public var treatWhitespaceAsSuffix = false
    /// `TrainerSpec.byte_fallback`.
    public var byteFallback = false
    /// `TrainerSpec.unk_surface`: what decoding writes for an unknown piece.
    public var unknownSurface: [UInt8] = Array(" \u{2047} ".utf8)
    /// `NormalizerSpec.name` (e.g. `nmt_nfkc`).
    public var normalizerName = ""
    /// `NormalizerSpec.precompiled_charsmap`.
    public var precompiledCharsMap: [UInt8] = []
    /// `NormalizerSpec.add_dummy_prefix`.
    public var addDummyPrefix = true
    /// `NormalizerSpec.remove_extra_whitespaces`.
    public var removeExtraWhitespaces = true
    /// `NormalizerSpec.escape_whitespaces`.
    public var escapeWhitespaces = true

    /// An empty model (for building one from another format).
    init() {}

    /// Reads and checks a model file.
    public init(contentsOf url: URL) throws {
        try self.init(bytes: try readFileBytes(url), path: url.path)
    }

    /// Parses a serialized `ModelProto`; `path` names the source in errors.
    public init(bytes: [UInt8], path: String) throws {
        do {
            try bytes.withUnsafeBufferPointer { buffer in
                try parseModel(buffer)
            }
        } catch let failure as ProtobufReader.Failure {
            throw TokenizerError.malformedFile(path: path, reason: "not a valid SentencePiece model (protobuf ModelProto): \(failure.message)")
        }
        try validate(path: path)
    }

    private mutating func parseModel(_ buffer: UnsafeBufferPointer<UInt8>) throws {
        var reader = ProtobufReader(buffer)
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readKey()
            switch field {
            case 1:
                guard wireType == .lengthDelimited else { throw reader.wrongType(field, "ModelProto") }
                pieces.append(try parsePiece(buffer, reader.readLengthDelimited()))
            case 2:
                guard wireType == .lengthDelimited else { throw reader.wrongType(field, "ModelProto") }
                try parseTrainerSpec(buffer, reader.readLengthDelimited())
            case 3:
                guard wireType == .lengthDelimited else { throw reader.wrongType(field, "ModelProto") }
                try parseNormalizerSpec(buffer, reader.readLengthDelimited())
            default:
                try reader.skip(wireType, field: field)
            }
        }
    }

    private func parsePiece(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws -> Piece {
        var reader = ProtobufReader(buffer, range: range)
        var piece = Piece(bytes: [], score: 0, type: .normal)
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readKey()
            switch field {
            case 1:
                guard wireType == .lengthDelimited else { throw reader.wrongType(field, "SentencePiece") }
                piece.bytes = reader.slice(try reader.readLengthDelimited())
            case 2:
                guard wireType == .fixed32 else { throw reader.wrongType(field, "SentencePiece") }
                piece.score = Float(bitPattern: try reader.readFixed32())
            case 3:
                let raw = try reader.expectVarint(wireType, field: field, in: "SentencePiece")
                guard let type = PieceType(rawValue: Int(truncatingIfNeeded: raw)), raw < 16 else {
                    throw ProtobufReader.Failure(message: "piece \(pieces.count) has unknown type \(Int64(bitPattern: raw))")
                }
                piece.type = type
            default:
                try reader.skip(wireType, field: field)
            }
        }
        return piece
    }

    private mutating func parseTrainerSpec(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws {
        var reader = ProtobufReader(buffer, range: range)
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readKey()
            switch field {
            case 3:
                let raw = try reader.expectVarint(wireType, field: field, in: "TrainerSpec")
                guard raw < 16, let type = ModelType(rawValue: Int(raw)) else {
                    throw ProtobufReader.Failure(message: "unknown model_type \(Int64(bitPattern: raw))")
                }
                modelType = type
            case 24:
                treatWhitespaceAsSuffix = try reader.expectVarint(wireType, field: field, in: "TrainerSpec") != 0
            case 35:
                byteFallback = try reader.expectVarint(wireType, field: field, in: "TrainerSpec") != 0
            case 44:
                guard wireType == .lengthDelimited else { throw reader.wrongType(field, "TrainerSpec") }
                unknownSurface = reader.slice(try reader.readLengthDelimited())
            default:
                try reader.skip(wireType, field: field)
            }
        }
    }

    private mutating func parseNormalizerSpec(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws {
        var reader = ProtobufReader(buffer, range: range)
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readKey()
            switch field {
            case 1:
                guard wireType == .lengthDelimited else { throw reader.wrongType(field, "NormalizerSpec") }
                normalizerName = String(decoding: reader.slice(try reader.readLengthDelimited()), as: UTF8.self)
            case 2:
                guard wireType == .lengthDelimited else { throw reader.wrongType(field, "NormalizerSpec") }
                precompiledCharsMap = reader.slice(try reader.readLengthDelimited())
            case 3:
                addDummyPrefix = try reader.expectVarint(wireType, field: field, in: "NormalizerSpec") != 0
            case 4:
                removeExtraWhitespaces = try reader.expectVarint(wireType, field: field, in: "NormalizerSpec") != 0
            case 5:
                escapeWhitespaces = try reader.expectVarint(wireType, field: field, in: "NormalizerSpec") != 0
            default:
                try reader.skip(wireType, field: field)
            }
        }
    }

    /// The checks SentencePiece itself makes when loading (`ModelInterface::InitializePieces`).
    func validate(path: String) throws {
        guard !pieces.isEmpty else {
            throw TokenizerError.malformedFile(path: path, reason: "the model has no pieces (not a SentencePiece model, or an empty one)")
        }
        guard modelType == .unigram else {
            throw TokenizerError.unsupported(path: path, reason: "SentencePiece model type \(modelType) (only unigram models, as DeBERTa v2/v3 use, are implemented)")
        }
        var seen = ByteStringTable(capacity: pieces.count)
        var unknownCount = 0
        for (id, piece) in pieces.enumerated() {
            guard !piece.bytes.isEmpty else {
                throw TokenizerError.malformedFile(path: path, reason: "piece \(id) is empty")
            }
            if let previous = seen.set(piece.bytes, Int32(id)) {
                throw TokenizerError.malformedFile(path: path, reason: "piece \(id) \"\(String(decoding: piece.bytes, as: UTF8.self))\" duplicates piece \(previous)")
            }
            if piece.type == .unknown { unknownCount += 1 }
        }
        guard unknownCount == 1 else {
            throw TokenizerError.malformedFile(path: path, reason: unknownCount == 0 ? "the model defines no unknown piece" : "the model defines \(unknownCount) unknown pieces (exactly one is allowed)")
        }
        if byteFallback {
            for b in 0..<256 {
                let name = Array(String(format: "<0x%02X>", b).utf8)
                guard let id = seen.value(for: name), pieces[Int(id)].type == .byte else {
                    throw TokenizerError.malformedFile(path: path, reason: "byte_fallback is enabled but byte piece \(String(decoding: name, as: UTF8.self)) is missing")
                }
            }
        }
    }
}

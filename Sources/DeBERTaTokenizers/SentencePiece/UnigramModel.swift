/// SentencePiece unigram segmentation (`unigram::Model::EncodeOptimized`) plus the processor's
/// post-step that merges runs of unknown pieces (or, with byte fallback, spells them as bytes).
///
/// Viterbi runs over UTF-8 character boundaries of the normalised text. Path scores are
/// accumulated in `Float` (`best[end] = best[start] + score`, left to right) and ties keep the
/// first candidate. This matters: long runs such as `"0" × 36` or 76 dots have two best paths whose
/// scores differ only in the last bits, and only `Float` accumulation reproduces sentencepiece's
/// choice (checked on every reference segment; a `Double` candidate compared with the stored
/// `Float` picks the other path on the 76 dots).
public final class UnigramModel: TokenizationModel {
    private let pieceBytes: [[UInt8]]
    private let scores: [Float]
    private let types: [SentencePieceModelFile.PieceType]
    private let trie: ByteTrie
    private let minScore: Float
    private let maxScore: Float
    /// Id of the model's unknown piece.
    public let unknownId: Int
    /// Whether unknown characters are spelled as `<0xHH>` byte pieces instead of `unknownId`.
    public let byteFallback: Bool
    private let bytePieceIds: [Int32]
    /// Number of pieces.
    public var vocabularySize: Int { pieceBytes.count }

    /// Builds the model from a parsed `spm.model` (already validated).
    init(model: SentencePieceModelFile) {
        pieceBytes = model.pieces.map(\.bytes)
        scores = model.pieces.map(\.score)
        types = model.pieces.map(\.type)
        var keys: [(bytes: [UInt8], value: Int32)] = []
        var minimum = Float.greatestFiniteMagnitude
        // SentencePiece starts the maximum at FLT_MIN, the smallest *positive* float, so with the
        // usual all-negative scores max_score is ~1e-38 and a user-defined piece scores about -0.1.
        var maximum = Float.leastNormalMagnitude
        var unknown = 0
        var byteIds = [Int32](repeating: -1, count: 256)
        for (id, piece) in model.pieces.enumerated() {
            switch piece.type {
            case .normal:
                minimum = min(minimum, piece.score)
                maximum = max(maximum, piece.score)
                keys.append((piece.bytes, Int32(id)))
            case .userDefined, .unused:
                keys.append((piece.bytes, Int32(id)))
            case .unknown:
                unknown = id
            case .byte:
                if let b = UnigramModel.byteValue(piece.bytes) { byteIds[Int(b)] = Int32(id) }
            case .control:
                break
            }
        }
        // Keys were deduplicated by validation; keep SentencePiece's first-wins anyway.
        trie = ByteTrie(keys: keys.reversed())
        minScore = minimum
        maxScore = maximum
        unknownId = unknown
        byteFallback = model.byteFallback
        bytePieceIds = byteIds
    }

    /// The byte value of a `<0xHH>` piece.
    static func byteValue(_ bytes: [UInt8]) -> UInt8? {
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "<"), bytes[1] == UInt8(ascii: "0"),
              bytes[2] == UInt8(ascii: "x"), bytes[5] == UInt8(ascii: ">") else { return nil }
        return UInt8(String(decoding: bytes[3...4], as: UTF8.self), radix: 16)
    }

    /// The piece's UTF-8 bytes.
    public func pieceBytes(for id: Int) -> [UInt8]? {
        id >= 0 && id < pieceBytes.count ? pieceBytes[id] : nil
    }

    /// The piece's type.
    public func pieceType(for id: Int) -> SentencePieceModelFile.PieceType? {
        id >= 0 && id < types.count ? types[id] : nil
    }

    final class Workspace: TokenizationWorkspace {
        var bestScore: [Float] = []
        var bestStart: [Int32] = []
        var bestId: [Int32] = []
        var path: [TokenSpan] = []
    }

    /// Viterbi buffers for one thread.
    public func makeWorkspace() -> TokenizationWorkspace { Workspace() }

    /// SentencePiece's `OneCharLen`: the sequence length implied by the lead byte's high nibble.
    @inline(__always)
    private static func oneCharLength(_ b: UInt8) -> Int {
        switch b >> 4 {
        case 0xC, 0xD: return 2
        case 0xE: return 3
        case 0xF: return 4
        default: return 1
        }
    }

    /// Segments `text[word]` (normalised text) into pieces, merging unknown runs or spelling them as bytes.
    public func tokenize(_ text: UnsafeBufferPointer<UInt8>, word: Range<Int>, into output: inout [TokenSpan],
                         workspace: TokenizationWorkspace) {
        let ws = unsafeDowncast(workspace, to: Workspace.self)
        let size = word.count
        guard size > 0 else { return }
        let origin = word.lowerBound
        ws.bestScore.removeAll(keepingCapacity: true)
        ws.bestStart.removeAll(keepingCapacity: true)
        ws.bestId.removeAll(keepingCapacity: true)
        ws.bestScore.append(contentsOf: repeatElement(0, count: size + 1))
        ws.bestStart.append(contentsOf: repeatElement(-1, count: size + 1))
        ws.bestId.append(contentsOf: repeatElement(-1, count: size + 1))
        let unknownScore: Float = minScore - 10.0
        let maxScore = self.maxScore
        let unknownId = Int32(self.unknownId)
        ws.bestScore.withUnsafeMutableBufferPointer { bestScore in
        ws.bestStart.withUnsafeMutableBufferPointer { bestStart in
        ws.bestId.withUnsafeMutableBufferPointer { bestId in
        scores.withUnsafeBufferPointer { scores in
        types.withUnsafeBufferPointer { types in
            let s = UnsafeBufferPointer(rebasing: text[word])
            var start = 0
            while start < size {
                let base = bestScore[start]
                let charLength = min(UnigramModel.oneCharLength(s[start]), size - start)
                var foundSingle = false
                trie.forEachPrefix(s, from: start, to: size) { length, value in
                    let id = Int(value)
                    let type = types[id]
                    if type == .unused { return }
                    let end = start + length
                    let score: Float = type == .userDefined
                        ? Float(Double(Float(length) * maxScore) - 0.1)
                        : scores[id]
                    let candidate = score + base
                    if bestStart[end] == -1 || candidate > bestScore[end] {
                        bestScore[end] = candidate
                        bestStart[end] = Int32(start)
                        bestId[end] = value
                    }
                    if length == charLength { foundSingle = true }
                }
                if !foundSingle {
                    let end = start + charLength
                    let candidate: Float = unknownScore + base
                    if bestStart[end] == -1 || candidate > bestScore[end] {
                        bestScore[end] = candidate
                        bestStart[end] = Int32(start)
                        bestId[end] = unknownId
                    }
                }
                start += charLength
            }
            // Backtrack.
            ws.path.removeAll(keepingCapacity: true)
            var end = size
            while end > 0 {
                let begin = Int(bestStart[end])
                ws.path.append(TokenSpan(id: bestId[end], start: Int32(origin + begin), end: Int32(origin + end)))
                end = begin
            }
        }
        }
        }
        }
        }
        // Emit in order, merging runs of unknown pieces (or spelling them as bytes).
        var previousUnknown = false
        for token in ws.path.reversed() {
            let isUnknown = token.id == unknownId
            if isUnknown && byteFallback {
                var position = token.start
                while position < token.end {
                    let b = text[Int(position)]
                    let isLast = position + 1 == token.end
                    output.append(TokenSpan(id: bytePieceIds[Int(b)], start: isLast ? token.start : token.start,
                                            end: isLast ? token.end : token.start))
                    position += 1
                }
            } else if isUnknown && previousUnknown {
                output[output.count - 1].end = token.end
            } else {
                output.append(token)
            }
            previousUnknown = isUnknown
        }
    }
}

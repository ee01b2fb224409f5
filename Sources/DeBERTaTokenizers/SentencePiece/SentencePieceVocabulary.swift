import DeBERTaFiles

/// Id ↔ piece lookups and decoding for SentencePiece models.
///
/// Decoding follows `SentencePieceProcessor::Decode`: pieces are concatenated with `▁` turned
/// into spaces; the leading space(s) of the first pieces are dropped (dummy prefix);
/// `<0xHH>` byte pieces are gathered and decoded as UTF-8, each malformed byte becoming U+FFFD.
/// Skipped when `skipSpecialTokens` is set: control pieces, the unknown piece, and special added
/// tokens (`[MASK]`) — as the original `SPMTokenizer.decode` and Hugging Face do.
struct SentencePieceVocabulary: TokenVocabulary, TokenDecoder {
    let model: UnigramModel
    let added: [Int: AddedToken]
    let pieceIds: ByteStringTable
    let stripsLeadingSpace: Bool
    let removesExtraWhitespaces: Bool

    init(model: UnigramModel, addedTokens: [AddedToken], normalizer: SentencePieceNormalizer) {
        self.model = model
        var added: [Int: AddedToken] = [:]
        for token in addedTokens where token.id >= model.vocabularySize { added[token.id] = token }
        self.added = added
        var table = ByteStringTable(capacity: model.vocabularySize)
        for id in (0..<model.vocabularySize).reversed() { table.set(model.pieceBytes(for: id)!, Int32(id)) }
        pieceIds = table
        stripsLeadingSpace = normalizer.addDummyPrefix || normalizer.removeExtraWhitespaces
        removesExtraWhitespaces = normalizer.removeExtraWhitespaces
    }

    func token(for id: Int) -> String? {
        if let token = added[id] { return token.content }
        return model.pieceBytes(for: id).map { String(decoding: $0, as: UTF8.self) }
    }

    func id(for token: String) -> Int? {
        let utf8 = Array(token.utf8)
        if let id = pieceIds.value(for: utf8) { return Int(id) }
        for (id, added) in added where Array(added.content.utf8) == utf8 { return id }
        return nil
    }

    private static let space: [UInt8] = [0xE2, 0x96, 0x81]

    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var text: [UInt8] = []
        var bytes: [UInt8] = []
        var isBeginning = true
        var beginningSpaceSeen = false
        func flushBytes() {
            var k = 0
            while k < bytes.count {
                let length = UTF8Validation.sequenceLength(bytes, at: k)
                if length == 0 {
                    text.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    k += 1
                } else {
                    text.append(contentsOf: bytes[k..<k + length])
                    k += length
                }
            }
            bytes.removeAll(keepingCapacity: true)
        }
        for id in ids {
            if let token = added[id] {
                if token.isSpecial && skipSpecialTokens { continue }
                flushBytes()
                text.append(contentsOf: token.content.utf8)
                continue
            }
            guard let type = model.pieceType(for: id), let piece = model.pieceBytes(for: id) else { continue }
            if type == .byte, let value = UnigramModel.byteValue(piece) {
                bytes.append(value)
                continue
            }
            flushBytes()
            if type == .control || type == .unknown {
                if skipSpecialTokens { continue }
                text.append(contentsOf: piece)
                continue
            }
            if beginningSpaceSeen || !text.isEmpty { isBeginning = false }
            var body = piece[...]
            beginningSpaceSeen = false
            if isBeginning && stripsLeadingSpace && body.starts(with: SentencePieceVocabulary.space) {
                body = body.dropFirst(3)
                // With remove_extra_whitespaces every leading space is dropped, not just the first.
                beginningSpaceSeen = !removesExtraWhitespaces
            }
            var k = body.startIndex
            while k < body.endIndex {
                if body[k...].starts(with: SentencePieceVocabulary.space) {
                    text.append(0x20)
                    k += 3
                } else {
                    text.append(body[k])
                    k += 1
                }
            }
        }
        flushBytes()
        return String(decoding: text, as: UTF8.self)
    }
}

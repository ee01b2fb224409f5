/// Id ↔ string lookups and decoding for byte-level BPE.
///
/// Token strings use GPT-2's byte-level spelling (`"ĠHello"`); decoding concatenates the raw
/// bytes of the tokens and decodes them as UTF-8 with replacement, like Python's
/// `bytes.decode("utf-8", errors="replace")`.
struct ByteLevelVocabulary: TokenVocabulary, TokenDecoder {
    let model: BytePairEncoding
    /// Added tokens by id.
    let added: [Int: AddedToken]
    /// Entries whose spelling is not byte-level (never produced by BPE), by id, as UTF-8.
    let extraSpellings: [Int: [UInt8]]
    let extraIds: ByteStringTable

    init(model: BytePairEncoding, addedTokens: [AddedToken], extraSpellings: [Int: [UInt8]]) {
        self.model = model
        var added: [Int: AddedToken] = [:]
        for token in addedTokens { added[token.id] = token }
        self.added = added
        self.extraSpellings = extraSpellings
        var table = ByteStringTable(capacity: extraSpellings.count)
        for (id, spelling) in extraSpellings { table.set(spelling, Int32(id)) }
        extraIds = table
    }

    func token(for id: Int) -> String? {
        if let token = added[id] { return token.content }
        if id >= 0 && id < model.bytesForId.count, let bytes = model.bytesForId[id] {
            return ByteLevelAlphabet.spelling(of: bytes)
        }
        if let spelling = extraSpellings[id] { return String(decoding: spelling, as: UTF8.self) }
        return nil
    }

    func id(for token: String) -> Int? {
        let utf8 = Array(token.utf8)
        for (id, added) in added where Array(added.content.utf8) == utf8 { return id }
        if let bytes = ByteLevelAlphabet.bytes(fromSpelling: token.unicodeScalars), let id = model.id(forBytes: bytes) {
            return id
        }
        return extraIds.value(for: utf8).map(Int.init)
    }

    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var text = ""
        var pending: [UInt8] = []
        func flush() {
            if !pending.isEmpty {
                text += String(decoding: pending, as: UTF8.self)
                pending.removeAll(keepingCapacity: true)
            }
        }
        for id in ids {
            if let token = added[id] {
                if token.isSpecial && skipSpecialTokens { continue }
                flush()
                text += token.content
            } else if id >= 0 && id < model.bytesForId.count, let bytes = model.bytesForId[id] {
                pending.append(contentsOf: bytes)
            } else if let spelling = extraSpellings[id] {
                flush()
                text += String(decoding: spelling, as: UTF8.self)
            }
        }
        flush()
        return text
    }
}

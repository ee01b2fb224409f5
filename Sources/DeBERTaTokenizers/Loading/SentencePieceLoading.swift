import Foundation

extension Tokenizer {
    /// Loads a DeBERTa v2/v3 tokenizer from a SentencePiece model (`spm.model`).
    ///
    /// Special tokens are found by name (from `special_tokens_map.json` in `metadataDirectory`, else
    /// `[PAD]`, `[CLS]`, `[SEP]`, `[UNK]`, `[MASK]`): first among the pieces, then in
    /// `added_tokens.json`; any still missing are appended after the pieces in the order of the
    /// original `SPMTokenizer` (`[MASK]`, `[SEP]`, `[PAD]`, `[UNK]`, `[CLS]`), which is how DeBERTa's
    /// `[MASK]` gets id = piece count.
    public convenience init(sentencePieceModel url: URL, metadataDirectory: URL? = nil) throws {
        let metadata = try metadataDirectory.map { try FolderMetadata(directory: $0) } ?? FolderMetadata()
        if metadata.splitByPunctuation {
            throw TokenizerError.unsupported(path: (metadataDirectory ?? url).path, reason: "split_by_punct = true (released DeBERTa models use false)")
        }
        let file = try SentencePieceModelFile(contentsOf: url)
        try self.init(sentencePiece: file, metadata: metadata, source: url.path)
    }

    convenience init(sentencePiece file: SentencePieceModelFile, metadata: FolderMetadata, source: String,
                     extraAddedTokens: [AddedToken] = []) throws {
        let charsMap = file.precompiledCharsMap.isEmpty ? nil : try PrecompiledCharsMap(file.precompiledCharsMap, path: source)
        let userDefined = file.pieces.filter { $0.type == .userDefined }.map(\.bytes)
        let normalizer = SentencePieceNormalizer(charsMap: charsMap, userDefinedPieces: userDefined,
                                                 addDummyPrefix: file.addDummyPrefix,
                                                 removeExtraWhitespaces: file.removeExtraWhitespaces,
                                                 escapeWhitespaces: file.escapeWhitespaces,
                                                 treatWhitespaceAsSuffix: file.treatWhitespaceAsSuffix)
        let model = UnigramModel(model: file)
        var pieceIndex = ByteStringTable(capacity: file.pieces.count)
        for (id, piece) in file.pieces.enumerated().reversed() { pieceIndex.set(piece.bytes, Int32(id)) }
        // Resolve names: pieces, then files, then append in SPMTokenizer order.
        var appended: [String: Int] = [:]
        var nextId = max(file.pieces.count, (metadata.addedTokenIds.map(\.id).max() ?? -1) + 1,
                         ((extraAddedTokens + metadata.addedTokensDecoder).map(\.id).max() ?? -1) + 1)
        func known(_ name: String) -> Int? {
            if let id = pieceIndex.value(for: Array(name.utf8)) { return Int(id) }
            if let token = extraAddedTokens.last(where: { $0.content == name }) { return token.id }
            if let token = metadata.addedTokensDecoder.last(where: { $0.content == name }) { return token.id }
            if let entry = metadata.addedTokenIds.last(where: { $0.content == name }) { return entry.id }
            return appended[name]
        }
        for role in ["mask_token", "sep_token", "pad_token", "unk_token", "cls_token"] {
            let name = metadata.name(role)
            if known(name) == nil {
                appended[name] = nextId
                nextId += 1
            }
        }
        let ids = try Tokenizer.resolveSpecialTokens(metadata: metadata, source: source, lookup: known)
        let added = Tokenizer.makeAddedTokens(ids: ids, metadata: metadata, extra: extraAddedTokens, maskStripsLeft: false)
        let vocabularyView = SentencePieceVocabulary(model: model, addedTokens: added, normalizer: normalizer)
        self.init(kind: .sentencePiece, specialTokenIds: ids, addedTokens: added, normalizer: normalizer,
                  preTokenizer: nil, model: model, decoder: vocabularyView, vocabulary: vocabularyView,
                  lowercaseInput: metadata.doLowerCase)
    }
}

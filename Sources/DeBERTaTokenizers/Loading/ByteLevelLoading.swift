import DeBERTaFiles
import Foundation

extension Tokenizer {
    /// Loads a DeBERTa v1 tokenizer from Hugging Face files: `vocab.json` (byte-level spelling →
    /// DeBERTa id) and `merges.txt` (`#version` header, then one `left right` merge per line).
    /// Special tokens are looked up by name (from `special_tokens_map.json` in `metadataDirectory`
    /// when given, else `[PAD]`, `[CLS]`, `[SEP]`, `[UNK]`, `[MASK]`).
    public convenience init(vocabularyFile: URL, mergesFile: URL, metadataDirectory: URL? = nil) throws {
        let metadata = try metadataDirectory.map { try FolderMetadata(directory: $0) } ?? FolderMetadata()
        let vocabulary = try Tokenizer.readVocabularyJSON(vocabularyFile)
        let merges = try Tokenizer.readMergesText(mergesFile)
        try self.init(byteLevelVocabulary: vocabulary, merges: merges, metadata: metadata,
                      vocabularySource: vocabularyFile.path, mergesSource: mergesFile.path)
    }

    /// Shared construction for every byte-level source (vocab.json, bpe_encoder.bin, tokenizer.json).
    /// `vocabulary` spellings are UTF-8 of the byte-level spelling.
    convenience init(byteLevelVocabulary vocabulary: [(spelling: [UInt8], id: Int)], merges: [BytePairEncoding.Merge],
                     metadata: FolderMetadata, vocabularySource: String, mergesSource: String,
                     mergeSymbols: [[UInt8]]? = nil, extraAddedTokens: [AddedToken] = []) throws {
        var entries: [(bytes: [UInt8], id: Int)] = []
        var extras: [Int: [UInt8]] = [:]
        entries.reserveCapacity(vocabulary.count)
        for (spelling, id) in vocabulary {
            if let bytes = ByteLevelAlphabet.bytes(fromUTF8Spelling: spelling) {
                entries.append((bytes, id))
            } else {
                extras[id] = spelling
            }
        }
        // Special tokens by name.
        func lookup(_ name: String) -> Int? {
            let utf8 = Array(name.utf8)
            if let token = extraAddedTokens.last(where: { $0.content == name }) { return token.id }
            if let token = metadata.addedTokensDecoder.last(where: { $0.content == name }) { return token.id }
            if let entry = metadata.addedTokenIds.last(where: { $0.content == name }) { return entry.id }
            if let bytes = ByteLevelAlphabet.bytes(fromUTF8Spelling: utf8), let entry = entries.last(where: { $0.bytes == bytes }) {
                return entry.id
            }
            return extras.first(where: { $0.value == utf8 })?.key
        }
        let ids = try Tokenizer.resolveSpecialTokens(metadata: metadata, source: vocabularySource, lookup: lookup)
        let model = try BytePairEncoding(vocabulary: entries, merges: merges, unknownId: ids.unk,
                                         source: vocabularySource, mergesSource: mergesSource, mergeSymbols: mergeSymbols)
        // HF's DebertaTokenizer gives [MASK] lstrip=True; files may say otherwise.
        let added = Tokenizer.makeAddedTokens(ids: ids, metadata: metadata, extra: extraAddedTokens, maskStripsLeft: true)
        let vocabularyView = ByteLevelVocabulary(model: model, addedTokens: added, extraSpellings: extras)
        self.init(kind: .byteLevelBPE, specialTokenIds: ids, addedTokens: added, normalizer: nil,
                  preTokenizer: GPT2PreTokenizer(), model: model, decoder: vocabularyView, vocabulary: vocabularyView,
                  addPrefixSpace: metadata.addPrefixSpace ?? false)
    }

    /// Finds the five special-token ids, or explains which one is missing.
    static func resolveSpecialTokens(metadata: FolderMetadata, source: String, lookup: (String) -> Int?) throws -> SpecialTokenIds {
        func find(_ role: String) throws -> Int {
            let name = metadata.name(role)
            guard let id = lookup(name) else {
                throw TokenizerError.malformedFile(path: source, reason: "special token \(name) (\(role)) is not in the vocabulary; a DeBERTa tokenizer needs [PAD], [CLS], [SEP], [UNK] and [MASK]")
            }
            return id
        }
        return SpecialTokenIds(pad: try find("pad_token"), cls: try find("cls_token"), sep: try find("sep_token"),
                               unk: try find("unk_token"), mask: try find("mask_token"))
    }

    /// The five special tokens plus any other added tokens the folder describes.
    static func makeAddedTokens(ids: SpecialTokenIds, metadata: FolderMetadata, extra: [AddedToken], maskStripsLeft: Bool) -> [AddedToken] {
        var tokens: [AddedToken] = []
        let roles: [(String, Int)] = [("pad_token", ids.pad), ("cls_token", ids.cls), ("sep_token", ids.sep),
                                      ("unk_token", ids.unk), ("mask_token", ids.mask)]
        for (role, id) in roles {
            let name = metadata.name(role)
            var token = AddedToken(content: name, id: id, isSpecial: true, stripLeft: role == "mask_token" && maskStripsLeft)
            if let described = (extra + metadata.addedTokensDecoder).last(where: { $0.id == id && $0.content == name }) {
                token.stripLeft = described.stripLeft
                token.stripRight = described.stripRight
            } else if let flags = metadata.specialNames[role] {
                if let left = flags.stripLeft { token.stripLeft = left }
                if let right = flags.stripRight { token.stripRight = right }
            }
            if !tokens.contains(where: { $0.id == token.id && $0.content == token.content }) { tokens.append(token) }
        }
        for token in extra + metadata.addedTokensDecoder where !tokens.contains(where: { $0.content == token.content }) {
            tokens.append(token)
        }
        for (content, id) in metadata.addedTokenIds where !tokens.contains(where: { $0.content == content }) {
            tokens.append(AddedToken(content: content, id: id, isSpecial: false))
        }
        return tokens
    }

    /// Reads `vocab.json`: an object of spelling → non-negative integer id.
    static func readVocabularyJSON(_ url: URL) throws -> [(spelling: [UInt8], id: Int)] {
        let json = try parseJSONFile(try readFileBytes(url), path: url.path)
        guard let members = json.objectMembers else {
            throw TokenizerError.malformedFile(path: url.path, reason: "expected a JSON object mapping tokens to ids")
        }
        var result: [(spelling: [UInt8], id: Int)] = []
        result.reserveCapacity(members.count)
        for (key, value) in members {
            guard let id = value.intValue, id >= 0, id < Int(Int32.max) else {
                throw TokenizerError.malformedFile(path: url.path, reason: "the id of \"\(String(decoding: key, as: UTF8.self))\" is not a non-negative integer")
            }
            result.append((key, id))
        }
        guard !result.isEmpty else { throw TokenizerError.malformedFile(path: url.path, reason: "the vocabulary is empty") }
        return result
    }

    /// Reads `merges.txt`: an optional `#version` first line, then `left right` per line.
    static func readMergesText(_ url: URL) throws -> [BytePairEncoding.Merge] {
        let bytes = try readFileBytes(url)
        guard UTF8Validation.isValid(bytes) else { throw TokenizerError.malformedFile(path: url.path, reason: "not valid UTF-8 text") }
        var merges: [BytePairEncoding.Merge] = []
        var lineNumber = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var content = line[...]
            if content.last == 0x0D { content = content.dropLast() }
            if lineNumber == 1 && content.starts(with: Array("#version".utf8)) { continue }
            if content.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let parts = content.split(separator: 0x20)
            guard parts.count == 2 else {
                throw TokenizerError.malformedFile(path: url.path, reason: "line \(lineNumber) is not two space-separated symbols: \"\(String(decoding: content.prefix(80), as: UTF8.self))\"")
            }
            guard let left = ByteLevelAlphabet.bytes(fromUTF8Spelling: Array(parts[0])),
                  let right = ByteLevelAlphabet.bytes(fromUTF8Spelling: Array(parts[1])) else {
                throw TokenizerError.malformedFile(path: url.path, reason: "line \(lineNumber) uses characters outside GPT-2's byte-level alphabet")
            }
            merges.append(BytePairEncoding.Merge(left: left, right: right, origin: lineNumber))
        }
        return merges
    }
}

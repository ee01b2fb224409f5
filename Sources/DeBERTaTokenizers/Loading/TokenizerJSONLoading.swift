import DeBERTaFiles
import Foundation

extension Tokenizer {
    /// Loads a Hugging Face fast-tokenizer file (`tokenizer.json`) of either DeBERTa kind.
    ///
    /// The file's components are mapped onto this package's implementations of the *original*
    /// algorithms: a `BPE` model with a `ByteLevel` pre-tokenizer becomes GPT-2 byte-level BPE; a
    /// `Unigram` model with a `Precompiled` normaliser and `Metaspace` pre-tokenizer becomes the
    /// SentencePiece pipeline (`Strip`/`Replace(" {2,}")` mean `remove_extra_whitespaces`,
    /// `Metaspace` prepending means `add_dummy_prefix`, `Lowercase` means lower-casing). So results
    /// match the slow/original tokenizers, not the fast one's known deviations (per-grapheme
    /// charsmap, dropped empty second text). The pair layout is always DeBERTa's
    /// `[CLS] A [SEP] B [SEP]`, whatever template the file carries. Other component types are
    /// rejected with ``TokenizerError/unsupported(path:reason:)``.
    public convenience init(tokenizerJSON url: URL, metadataDirectory: URL? = nil) throws {
        let path = url.path
        let json = try parseJSONFile(try readFileBytes(url), path: path)
        guard json.objectMembers != nil, let model = json["model"], model.objectMembers != nil else {
            throw TokenizerError.malformedFile(path: path, reason: "no \"model\" object (not a tokenizer.json file)")
        }
        let metadata = try metadataDirectory.map { try FolderMetadata(directory: $0) } ?? FolderMetadata()
        let added = try Tokenizer.readAddedTokens(json["added_tokens"], path: path)
        switch model["type"]?.stringValue {
        case "BPE":
            try self.init(bpeTokenizerJSON: json, model: model, added: added, metadata: metadata, path: path)
        case "Unigram":
            try self.init(unigramTokenizerJSON: json, model: model, added: added, metadata: metadata, path: path)
        case let other:
            throw TokenizerError.unsupported(path: path, reason: "model type \(other ?? "(missing)") (DeBERTa uses BPE or Unigram)")
        }
    }

    static func readAddedTokens(_ value: JSONValue?, path: String) throws -> [AddedToken] {
        guard let value, !value.isNull else { return [] }
        guard let items = value.arrayValue else {
            throw TokenizerError.malformedFile(path: path, reason: "\"added_tokens\" is not a list")
        }
        return try items.map { item in
            guard let id = item["id"]?.intValue, id >= 0, let content = item["content"]?.stringValue else {
                throw TokenizerError.malformedFile(path: path, reason: "an \"added_tokens\" entry lacks an id or content")
            }
            _ = try TokenIdLimits.checked(id, "the id of added token \"\(content)\"", path: path)
            return AddedToken(content: content, id: id, isSpecial: item["special"]?.boolValue ?? false,
                              stripLeft: item["lstrip"]?.boolValue ?? false, stripRight: item["rstrip"]?.boolValue ?? false)
        }
    }

    /// Flattens `Sequence` components: the list of (type, object).
    private static func components(_ value: JSONValue?, listKey: String) -> [(type: String, value: JSONValue)] {
        guard let value, !value.isNull else { return [] }
        if value["type"]?.stringValue == "Sequence", let items = value[listKey]?.arrayValue {
            return items.flatMap { components($0, listKey: listKey) }
        }
        return [(value["type"]?.stringValue ?? "(missing type)", value)]
    }

    private convenience init(bpeTokenizerJSON json: JSONValue, model: JSONValue, added: [AddedToken], metadata: FolderMetadata,
                             path: String) throws {
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let text = model[key]?.stringValue, !text.isEmpty {
                throw TokenizerError.unsupported(path: path, reason: "BPE \(key) \"\(text)\" (GPT-2 byte-level BPE uses none)")
            }
        }
        if model["byte_fallback"]?.boolValue == true || model["ignore_merges"]?.boolValue == true {
            throw TokenizerError.unsupported(path: path, reason: "BPE byte_fallback / ignore_merges (not GPT-2 byte-level BPE)")
        }
        let normalizers = Tokenizer.components(json["normalizer"], listKey: "normalizers")
        if let first = normalizers.first {
            throw TokenizerError.unsupported(path: path, reason: "normalizer \(first.type) with a BPE model (DeBERTa v1 has none)")
        }
        let preTokenizers = Tokenizer.components(json["pre_tokenizer"], listKey: "pretokenizers")
        guard preTokenizers.count == 1, preTokenizers[0].type == "ByteLevel" else {
            let found = preTokenizers.map(\.type).joined(separator: ", ")
            throw TokenizerError.unsupported(path: path, reason: "pre-tokenizer \(found.isEmpty ? "(none)" : found); byte-level BPE needs exactly ByteLevel")
        }
        if preTokenizers[0].value["use_regex"]?.boolValue == false {
            throw TokenizerError.unsupported(path: path, reason: "ByteLevel pre-tokenizer with use_regex = false")
        }
        guard let vocabularyMembers = model["vocab"]?.objectMembers else {
            throw TokenizerError.malformedFile(path: path, reason: "BPE model has no \"vocab\" object")
        }
        var vocabulary: [(spelling: [UInt8], id: Int)] = []
        vocabulary.reserveCapacity(vocabularyMembers.count)
        for (key, value) in vocabularyMembers {
            guard let id = value.intValue, id >= 0, id < Int(Int32.max) else {
                throw TokenizerError.malformedFile(path: path, reason: "the id of \"\(String(decoding: key, as: UTF8.self))\" in model.vocab is not a non-negative integer")
            }
            vocabulary.append((key, id))
        }
        guard let mergeItems = model["merges"]?.arrayValue else {
            throw TokenizerError.malformedFile(path: path, reason: "BPE model has no \"merges\" list")
        }
        var merges: [BytePairEncoding.Merge] = []
        merges.reserveCapacity(mergeItems.count)
        for (index, item) in mergeItems.enumerated() {
            var parts: [[UInt8]]
            if let text = item.stringBytes {
                parts = text.split(separator: 0x20).map(Array.init)
            } else if let pair = item.arrayValue {
                parts = pair.compactMap(\.stringBytes)
            } else {
                parts = []
            }
            guard parts.count == 2 else {
                throw TokenizerError.malformedFile(path: path, reason: "merge \(index + 1) is not a pair of symbols")
            }
            guard let left = ByteLevelAlphabet.bytes(fromUTF8Spelling: parts[0]),
                  let right = ByteLevelAlphabet.bytes(fromUTF8Spelling: parts[1]) else {
                throw TokenizerError.malformedFile(path: path, reason: "merge \(index + 1) uses characters outside GPT-2's byte-level alphabet")
            }
            merges.append(BytePairEncoding.Merge(left: left, right: right, origin: index + 1))
        }
        var metadata = metadata
        if metadata.addPrefixSpace == nil { metadata.addPrefixSpace = preTokenizers[0].value["add_prefix_space"]?.boolValue }
        try self.init(byteLevelVocabulary: vocabulary, merges: merges, metadata: metadata, vocabularySource: path,
                      mergesSource: path + " (model.merges)", extraAddedTokens: added)
    }

    private convenience init(unigramTokenizerJSON json: JSONValue, model: JSONValue, added: [AddedToken],
                             metadata: FolderMetadata, path: String) throws {
        guard let items = model["vocab"]?.arrayValue, !items.isEmpty else {
            throw TokenizerError.malformedFile(path: path, reason: "Unigram model has no \"vocab\" list")
        }
        let unknownId = model["unk_id"]?.intValue
        let byteFallback = model["byte_fallback"]?.boolValue ?? false
        var file = SentencePieceModelFile()
        file.byteFallback = byteFallback
        file.pieces.reserveCapacity(items.count)
        for (id, item) in items.enumerated() {
            guard let pair = item.arrayValue, pair.count == 2, let piece = pair[0].stringBytes, let score = pair[1].doubleValue else {
                throw TokenizerError.malformedFile(path: path, reason: "model.vocab entry \(id) is not [piece, score]")
            }
            var type: SentencePieceModelFile.PieceType = .normal
            if id == unknownId {
                type = .unknown
            } else if let token = added.first(where: { $0.id == id }) {
                type = token.isSpecial ? .control : .userDefined
            } else if byteFallback && UnigramModel.byteValue(piece) != nil {
                type = .byte
            }
            file.pieces.append(.init(bytes: piece, score: Float(score), type: type))
        }
        // Normaliser: Precompiled charsmap plus SentencePiece's whitespace handling.
        var removeExtraWhitespaces = false
        var lowercase = metadata.doLowerCase
        for (type, value) in Tokenizer.components(json["normalizer"], listKey: "normalizers") {
            switch type {
            case "Precompiled":
                guard let encoded = value["precompiled_charsmap"]?.stringValue else { continue }
                guard let data = Data(base64Encoded: encoded) else {
                    throw TokenizerError.malformedFile(path: path, reason: "precompiled_charsmap is not valid base64")
                }
                file.precompiledCharsMap = [UInt8](data)
            case "Strip":
                removeExtraWhitespaces = true
            case "Replace":
                let pattern = value["pattern"]?["Regex"]?.stringValue ?? value["pattern"]?["String"]?.stringValue
                guard pattern == " {2,}" else {
                    throw TokenizerError.unsupported(path: path, reason: "Replace normalizer with pattern \(pattern ?? "?") (only SentencePiece's \" {2,}\" collapse is understood)")
                }
                removeExtraWhitespaces = true
            case "Lowercase":
                lowercase = true
            default:
                throw TokenizerError.unsupported(path: path, reason: "normalizer \(type) with a Unigram model (only Precompiled, Strip, Replace and Lowercase, as HF's SentencePiece converters emit)")
            }
        }
        file.removeExtraWhitespaces = removeExtraWhitespaces
        var addDummyPrefix = false
        for (type, value) in Tokenizer.components(json["pre_tokenizer"], listKey: "pretokenizers") {
            switch type {
            case "Metaspace":
                let replacement = value["replacement"]?.stringValue ?? "\u{2581}"
                guard replacement == "\u{2581}" else {
                    throw TokenizerError.unsupported(path: path, reason: "Metaspace replacement \"\(replacement)\" (SentencePiece uses ▁)")
                }
                if let scheme = value["prepend_scheme"]?.stringValue {
                    addDummyPrefix = scheme != "never"
                } else {
                    addDummyPrefix = value["add_prefix_space"]?.boolValue ?? true
                }
            case "WhitespaceSplit", "Split":
                // Splitting on whitespace does not change SentencePiece results for pieces without inner ▁.
                continue
            default:
                throw TokenizerError.unsupported(path: path, reason: "pre-tokenizer \(type) with a Unigram model")
            }
        }
        file.addDummyPrefix = addDummyPrefix
        file.escapeWhitespaces = true
        guard file.pieces.contains(where: { $0.type == .unknown }) else {
            throw TokenizerError.malformedFile(path: path, reason: "Unigram model has no valid unk_id")
        }
        try file.validate(path: path)  // the checks spm.model files get (duplicates, byte pieces, …)
        var metadata = metadata
        metadata.doLowerCase = lowercase
        try self.init(sentencePiece: file, metadata: metadata, source: path, extraAddedTokens: added)
    }
}

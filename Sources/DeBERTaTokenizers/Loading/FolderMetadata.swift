import DeBERTaFiles
import Foundation

/// What the Hugging Face companion files of a tokenizer folder say: `special_tokens_map.json`,
/// `added_tokens.json` and `tokenizer_config.json`. All are optional.
struct FolderMetadata {
    /// Special-token names by role (`cls_token` → `[CLS]`), with their `lstrip`/`rstrip` flags
    /// when the file gives them as objects.
    var specialNames: [String: (content: String, stripLeft: Bool?, stripRight: Bool?)] = [:]
    /// `added_tokens.json`: content → id.
    var addedTokenIds: [(content: String, id: Int)] = []
    /// `tokenizer_config.json` `added_tokens_decoder`: full added-token descriptions.
    var addedTokensDecoder: [AddedToken] = []
    var doLowerCase = false
    var splitByPunctuation = false
    var addPrefixSpace: Bool? = nil
    var vocabularyType: String? = nil

    /// Reads whichever of the three files exist in `directory`.
    init(directory: URL) throws {
        let fm = FileManager.default
        let specialURL = directory.appendingPathComponent("special_tokens_map.json")
        if fm.fileExists(atPath: specialURL.path) {
            let json = try parseJSONFile(try readFileBytes(specialURL), path: specialURL.path)
            guard let members = json.objectMembers else {
                throw TokenizerError.malformedFile(path: specialURL.path, reason: "expected a JSON object")
            }
            for (key, value) in members {
                let role = String(decoding: key, as: UTF8.self)
                if let text = value.stringValue {
                    specialNames[role] = (text, nil, nil)
                } else if let content = value["content"]?.stringValue {
                    specialNames[role] = (content, value["lstrip"]?.boolValue, value["rstrip"]?.boolValue)
                }
                // Lists (additional_special_tokens) are read through added_tokens_decoder instead.
            }
        }
        let addedURL = directory.appendingPathComponent("added_tokens.json")
        if fm.fileExists(atPath: addedURL.path) {
            let json = try parseJSONFile(try readFileBytes(addedURL), path: addedURL.path)
            guard let members = json.objectMembers else {
                throw TokenizerError.malformedFile(path: addedURL.path, reason: "expected a JSON object of token → id")
            }
            for (key, value) in members {
                let content = String(decoding: key, as: UTF8.self)
                let id = try TokenIdLimits.checked(value.intValue, "the id of \"\(content)\"", path: addedURL.path)
                addedTokenIds.append((content, id))
            }
        }
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        if fm.fileExists(atPath: configURL.path) {
            let json = try parseJSONFile(try readFileBytes(configURL), path: configURL.path)
            guard json.objectMembers != nil else {
                throw TokenizerError.malformedFile(path: configURL.path, reason: "expected a JSON object")
            }
            doLowerCase = json["do_lower_case"]?.boolValue ?? false
            splitByPunctuation = json["split_by_punct"]?.boolValue ?? false
            addPrefixSpace = json["add_prefix_space"]?.boolValue
            vocabularyType = json["vocab_type"]?.stringValue
            if let decoder = json["added_tokens_decoder"]?.objectMembers {
                for (key, value) in decoder {
                    guard let id = Int(String(decoding: key, as: UTF8.self)), id >= 0,
                          let content = value["content"]?.stringValue else {
                        throw TokenizerError.malformedFile(path: configURL.path, reason: "added_tokens_decoder entry \"\(String(decoding: key, as: UTF8.self))\" is not an id with a content")
                    }
                    _ = try TokenIdLimits.checked(id, "the added_tokens_decoder id of \"\(content)\"", path: configURL.path)
                    addedTokensDecoder.append(AddedToken(content: content, id: id, isSpecial: value["special"]?.boolValue ?? true,
                                                         stripLeft: value["lstrip"]?.boolValue ?? false,
                                                         stripRight: value["rstrip"]?.boolValue ?? false))
                }
            }
            // Roles may also be named directly in tokenizer_config.json (e.g. "mask_token": "[MASK]").
            for role in ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"] where specialNames[role] == nil {
                if let text = json[role]?.stringValue {
                    specialNames[role] = (text, nil, nil)
                } else if let content = json[role]?["content"]?.stringValue {
                    specialNames[role] = (content, json[role]?["lstrip"]?.boolValue, json[role]?["rstrip"]?.boolValue)
                }
            }
        }
    }

    /// An empty description (a bare model file with no companions).
    init() {}

    /// The name of a role, defaulting to DeBERTa's.
    func name(_ role: String) -> String {
        if let name = specialNames[role]?.content { return name }
        switch role {
        case "cls_token": return "[CLS]"
        case "sep_token": return "[SEP]"
        case "pad_token": return "[PAD]"
        case "unk_token": return "[UNK]"
        default: return "[MASK]"
        }
    }
}

import DeBERTaCheckpoint
import DeBERTaFiles
import Foundation

extension Tokenizer {
    /// Loads DeBERTa v1's original vocabulary file, `bpe_encoder.bin`: a `torch.save`d dict (zip or
    /// legacy format, read with the restricted unpickler of the `Checkpoint` target) with
    ///
    /// - `encoder`: byte-level spelling → GPT-2 id (GPT-2's `encoder.json`);
    /// - `vocab`: the merges in rank order, as pairs of spellings (GPT-2's `vocab.bpe`);
    /// - `dict_map`: fairseq's `dict.txt` as (word, count) pairs, each word a GPT-2 id in decimal.
    ///
    /// DeBERTa ids are built as the original `GPT2Tokenizer` does: `[PAD]` 0, `[CLS]` 1, `[SEP]` 2,
    /// `[UNK]` 3, then each distinct `dict_map` word in order, then `[MASK]` (50264 for the released
    /// file). A GPT-2 token whose id is not in `dict_map` maps to `[UNK]` (the original would fail
    /// with a `KeyError`; never the case for released files).
    public convenience init(bpeEncoderFile url: URL, metadataDirectory: URL? = nil) throws {
        let path = url.path
        let object: PickleValue
        do {
            object = try TorchPickleFile.loadObject(from: url)
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw TokenizerError.malformedFile(path: path, reason: "cannot read the torch-saved vocabulary: \(error)")
        }
        func bad(_ why: String) -> TokenizerError {
            TokenizerError.malformedFile(path: path, reason: "not a DeBERTa bpe_encoder.bin: \(why)")
        }
        guard object.dictItems != nil else { throw bad("the saved object is not a dict") }
        guard let encoderItems = object["encoder"]?.dictItems else { throw bad("no 'encoder' dict") }
        guard let mergeItems = object["vocab"]?.elements else { throw bad("no 'vocab' list of merges") }
        guard let dictMap = object["dict_map"]?.elements else { throw bad("no 'dict_map' list") }

        // GPT-2 id → spelling.
        var spellingForGPT2Id: [Int: [UInt8]] = [:]
        var spellings: [[UInt8]] = []
        spellings.reserveCapacity(encoderItems.count)
        for (key, value) in encoderItems {
            guard let spelling = key.stringValue, let id = value.intValue else {
                throw bad("an 'encoder' item is not string → int")
            }
            guard let bytes = ByteLevelAlphabet.bytes(fromSpelling: spelling.unicodeScalars) else {
                throw bad("encoder token \"\(spelling)\" uses characters outside GPT-2's byte-level alphabet")
            }
            spellingForGPT2Id[Int(id)] = Array(spelling.utf8)
            spellings.append(bytes)
        }
        // fairseq Dictionary.add_symbol: a repeated word keeps its first index.
        let metadata = try metadataDirectory.map { try FolderMetadata(directory: $0) } ?? FolderMetadata()
        var indices: [[UInt8]: Int] = [:]
        var words: [[UInt8]] = []
        func addSymbol(_ word: [UInt8]) {
            if indices[word] == nil {
                indices[word] = words.count
                words.append(word)
            }
        }
        for role in ["pad_token", "cls_token", "sep_token", "unk_token"] { addSymbol(Array(metadata.name(role).utf8)) }
        for (index, item) in dictMap.enumerated() {
            guard let pair = item.elements, pair.count == 2, let word = pair[0].stringValue else {
                throw bad("dict_map entry \(index) is not a (word, count) pair")
            }
            addSymbol(Array(word.utf8))
        }
        addSymbol(Array(metadata.name("mask_token").utf8))

        // Vocabulary: spelling → DeBERTa id, through the GPT-2 id the dict_map word names.
        var vocabulary: [(spelling: [UInt8], id: Int)] = []
        vocabulary.reserveCapacity(words.count)
        for (id, word) in words.enumerated() {
            if let gpt2Id = Int(String(decoding: word, as: UTF8.self)), String(gpt2Id) == String(decoding: word, as: UTF8.self),
               let spelling = spellingForGPT2Id[gpt2Id] {
                vocabulary.append((spelling, id))
            } else {
                vocabulary.append((word, id))  // special tokens, madeupword0000, …
            }
        }
        var merges: [BytePairEncoding.Merge] = []
        merges.reserveCapacity(mergeItems.count)
        for (index, item) in mergeItems.enumerated() {
            guard let pair = item.elements, pair.count == 2, let left = pair[0].stringValue, let right = pair[1].stringValue else {
                throw bad("merge \(index + 1) in 'vocab' is not a pair of strings")
            }
            guard let leftBytes = ByteLevelAlphabet.bytes(fromSpelling: left.unicodeScalars),
                  let rightBytes = ByteLevelAlphabet.bytes(fromSpelling: right.unicodeScalars) else {
                throw bad("merge \(index + 1) uses characters outside GPT-2's byte-level alphabet")
            }
            merges.append(BytePairEncoding.Merge(left: leftBytes, right: rightBytes, origin: index + 1))
        }
        try self.init(byteLevelVocabulary: vocabulary, merges: merges, metadata: metadata,
                      vocabularySource: path + " (dict_map)", mergesSource: path + " (vocab)", mergeSymbols: spellings)
    }
}

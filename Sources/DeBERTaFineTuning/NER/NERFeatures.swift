import DeBERTaModeling
import DeBERTaTokenizers

/// Where a word's prediction comes from: the sentence (its index among the examples), the word
/// (its index in the sentence), and the position of its first sub-token in the feature.
public struct NERWordPosition: Equatable, Sendable {
    public var sentence: Int
    public var word: Int
    public var token: Int
}

/// One NER model input: `[CLS] sub-tokens [SEP]` of one or more sentences of a document, or of a
/// part of a long sentence.
public struct NERFeature: TaskFeature, Equatable {
    public var inputIds: [Int32]
    /// All 0: one segment.
    public var tokenTypeIds: [Int32]
    /// One per token: the class of a word at its first sub-token, -100 (ignored by the loss)
    /// at `[CLS]`, `[SEP]`, every later sub-token, and everywhere in unlabelled sentences.
    public var labels: [Int32]
    /// The words of the feature, in order, with their first sub-token.
    public var words: [NERWordPosition]
}

/// Feature construction as the original app's NER task (`ner_task.py`) does it, with the label
/// alignment of transformers' token-classification examples:
///
/// - every word is tokenized on its own (the first word of a sentence as written, the others
///   after a space, which matters only to byte-level BPE), and its first sub-token carries its
///   class; later sub-tokens, `[CLS]` and `[SEP]` carry -100;
/// - consecutive sentences of one document share a feature while their sub-tokens fit in
///   `maxSequenceLength - 2` (the original's packing: context from the neighbouring sentences);
/// - a sentence too long for one feature is split at word boundaries into windows that fit (the
///   original let such a sentence overflow); a single word longer than a window keeps only the
///   sub-tokens that fit — its first, which carries its class, always;
/// - a word the tokenizer turns into nothing (only characters the normalizer removes) gets no
///   position, as in transformers (`word_ids` never names it); it is predicted `O`.
public enum NERFeatures {
    /// The features of `sentences`; a tag is turned into its index in `labels`.
    /// - Throws: when `maxSequenceLength` leaves no room for a sub-token, or a tag is not in `labels`.
    public static func make(_ sentences: [CoNLLSentence], tokenizer: Tokenizer, maxSequenceLength: Int,
                            labels: [String], file: String = "<input>") throws -> [NERFeature] {
        let budget = maxSequenceLength - 2
        guard budget >= 1 else { throw ModelError.input("max_seq_len \(maxSequenceLength) leaves no room for a word besides [CLS] and [SEP]") }
        let classes = Dictionary(labels.enumerated().map { ($0.element, Int32($0.offset)) }, uniquingKeysWith: { a, _ in a })
        let pieces = try subTokens(sentences, tokenizer: tokenizer)
        let cls = Int32(tokenizer.specialTokenIds.cls), sep = Int32(tokenizer.specialTokenIds.sep)

        // A run of words of one sentence: `first..<end`.
        typealias Span = (sentence: Int, first: Int, end: Int)
        var features: [NERFeature] = []
        func emit(_ spans: [Span]) throws {
            guard !spans.isEmpty else { return }
            var f = NERFeature(inputIds: [cls], tokenTypeIds: [0], labels: [-100], words: [])
            for span in spans {
                let sentence = sentences[span.sentence]
                for w in span.first..<span.end {
                    let tokens = pieces[span.sentence][w].prefix(budget - (f.inputIds.count - 1))
                    guard !tokens.isEmpty else { continue }
                    f.words.append(NERWordPosition(sentence: span.sentence, word: w, token: f.inputIds.count))
                    var label: Int32 = -100
                    if let tag = sentence.tags?[w] {
                        guard let c = classes[tag] else {
                            throw TaskDataError(.unknownLabel, file: file, line: sentence.lines[w], "unknown tag \"\(tag)\" (known: \(labels.joined(separator: ", ")))")
                        }
                        label = c
                    }
                    f.inputIds += tokens
                    f.labels += [label] + [Int32](repeating: -100, count: tokens.count - 1)
                }
            }
            f.inputIds.append(sep)
            f.labels.append(-100)
            f.tokenTypeIds = [Int32](repeating: 0, count: f.inputIds.count)
            features.append(f)
        }

        var pending: [Span] = [], size = 0
        for (s, sentence) in sentences.enumerated() {
            if let last = pending.last, sentences[last.sentence].document != sentence.document {
                try emit(pending)
                pending = []; size = 0
            }
            let lengths = pieces[s].map(\.count)
            let length = lengths.reduce(0, +)
            if length > budget {
                try emit(pending)
                pending = []; size = 0
                // Windows of whole words, each as long as fits (a word longer than a window is
                // one window, cut in `emit`).
                var first = 0, used = 0
                for (w, n) in lengths.enumerated() {
                    if used > 0 && used + n > budget {
                        try emit([(s, first, w)])
                        first = w; used = 0
                    }
                    used += n
                }
                try emit([(s, first, lengths.count)])
                continue
            }
            if size + length > budget {
                try emit(pending)
                pending = []; size = 0
            }
            pending.append((s, 0, sentence.words.count))
            size += length
        }
        try emit(pending)
        return features
    }

    /// The sub-token ids of every word: each distinct text tokenized once, all in parallel.
    static func subTokens(_ sentences: [CoNLLSentence], tokenizer: Tokenizer) throws -> [[[Int32]]] {
        let texts = sentences.map { s in s.words.enumerated().map { $0.offset == 0 ? $0.element : " " + $0.element } }
        var index: [String: Int] = [:], distinct: [String] = []
        for text in texts.joined() where index[text] == nil {
            index[text] = distinct.count
            distinct.append(text)
        }
        let encoded = try tokenizer.encodeBatch(distinct, addSpecialTokens: false).map { $0.inputIds.map(Int32.init) }
        return texts.map { words in words.map { encoded[index[$0]!] } }
    }
}

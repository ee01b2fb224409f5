import DeBERTaModeling
import DeBERTaTokenizers

/// One question-answering model input: `[CLS] question [SEP] context window [SEP]`.
public struct QAFeature: TaskFeature, Equatable {
    public var inputIds: [Int32]
    /// 0 for `[CLS] question [SEP]`, 1 for the context window and its `[SEP]`.
    public var tokenTypeIds: [Int32]
    /// The example (its index in the examples) the feature comes from.
    public var example: Int
    /// Each token's character range in the context (Unicode scalars); nil outside the context.
    public var offsets: [Range<Int>?]
    /// The gold answer's first and last token (0, 0 — `[CLS]` — when the window does not hold the
    /// whole answer or the question has none); nil for an example without answers that is not
    /// marked impossible (a test file).
    public var startPosition: Int?
    public var endPosition: Int?
}

/// Feature construction as transformers' `run_qa.py` does it (`prepare_train_features` /
/// `prepare_validation_features`): the question with leading white space stripped, at most
/// `maxQueryLength` tokens of it, then the context in windows that overlap by `docStride` tokens —
/// the windows of a fast tokenizer's `tokenizer(question, context, truncation="only_second",
/// max_length, stride, return_overflowing_tokens=True, return_offsets_mapping=True)`: each window
/// holds `maxSequenceLength - question - 3` context tokens (the last one fewer when the context
/// ends) and starts that many minus `docStride` after the previous one. The first answer's
/// character span is mapped to tokens through the offsets; a window that does not hold it whole is
/// labelled at `[CLS]` (0).
public enum QAFeatures {
    public static func make(_ examples: [SQuADExample], tokenizer: Tokenizer, maxSequenceLength: Int,
                            docStride: Int, maxQueryLength: Int) throws -> [QAFeature] {
        let cls = Int32(tokenizer.specialTokenIds.cls), sep = Int32(tokenizer.specialTokenIds.sep)
        var features: [QAFeature] = []
        for (e, example) in examples.enumerated() {
            let question = String(example.question.drop { $0.isWhitespace })
            let q = try tokenizer.encode(question, pair: nil, addSpecialTokens: false)
            let queryIds = q.inputIds.prefix(maxQueryLength).map(Int32.init)
            let c = try tokenizer.encode(example.context, pair: nil, addSpecialTokens: false)
            let window = maxSequenceLength - queryIds.count - 3
            guard window > docStride, window > 0 else {
                throw ModelError.input("question \(example.id): max_seq_length \(maxSequenceLength) leaves \(window) context tokens a window after \(queryIds.count) question tokens, not more than doc_stride \(docStride)")
            }
            // The answer's character span (the first answer, as run_qa trains on).
            let answer: Range<Int>? = example.answers.first.map { $0.start..<($0.start + $0.text.unicodeScalars.count) }
            let labelled = answer != nil || example.isImpossible
            var start = 0
            while true {
                let stop = min(start + window, c.count)
                var f = QAFeature(inputIds: [cls] + queryIds + [sep], tokenTypeIds: [], example: e,
                                  offsets: [Range<Int>?](repeating: nil, count: queryIds.count + 2),
                                  startPosition: labelled ? 0 : nil, endPosition: labelled ? 0 : nil)
                let first = f.inputIds.count
                f.inputIds += c.inputIds[start..<stop].map(Int32.init)
                f.offsets += c.offsets[start..<stop].map { Optional($0) }
                f.inputIds.append(sep)
                f.offsets.append(nil)
                f.tokenTypeIds = [Int32](repeating: 0, count: first) + [Int32](repeating: 1, count: f.inputIds.count - first)
                if let answer, stop > start, c.offsets[start].lowerBound <= answer.lowerBound, c.offsets[stop - 1].upperBound >= answer.upperBound {
                    var s = start
                    while s < stop && c.offsets[s].lowerBound <= answer.lowerBound { s += 1 }
                    var t = stop - 1
                    while t >= start && c.offsets[t].upperBound >= answer.upperBound { t -= 1 }
                    f.startPosition = first + (s - 1 - start)
                    f.endPosition = first + (t + 1 - start)
                }
                features.append(f)
                if stop >= c.count { break }
                start += window - docStride
            }
        }
        return features
    }
}

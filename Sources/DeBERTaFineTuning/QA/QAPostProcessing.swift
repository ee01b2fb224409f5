/// The start and end logits of one feature's tokens.
public struct QAFeatureLogits: Sendable, Equatable {
    public var start: [Float]
    public var end: [Float]
    public init(start: [Float], end: [Float]) { self.start = start; self.end = end }
}

/// The answer predicted for one question.
public struct QAPrediction: Sendable, Equatable {
    /// The answer text ("" for no answer).
    public var text: String
    /// SQuAD 2.0: the null score minus the best non-null span's score (the official script's
    /// `na_prob`, written to `null_odds_<split>.json`); nil for SQuAD 1.1.
    public var nullOdds: Float?
    public init(text: String, nullOdds: Float? = nil) { self.text = text; self.nullOdds = nullOdds }
}

/// transformers' `postprocess_qa_predictions` (examples/pytorch/question-answering/utils_qa.py):
/// for every feature of a question, the `nBestSize` best start and end tokens; the spans among
/// them that lie inside the context, end no earlier than they start and are at most
/// `maxAnswerLength` tokens long, scored start + end logit; the best-scored span's text. With
/// `versionTwo`, the null answer scores `[CLS]`'s start + end (the lowest over the features), and
/// the answer is "" when that exceeds the best span's score by more than `nullScoreDiffThreshold`.
public enum QAPostProcessing {
    public static func predict(examples: [SQuADExample], features: [QAFeature], logits: [QAFeatureLogits],
                               nBestSize: Int = 20, maxAnswerLength: Int = 30, versionTwo: Bool = false,
                               nullScoreDiffThreshold: Float = 0) -> [QAPrediction] {
        var byExample = [[Int]](repeating: [], count: examples.count)
        for (k, f) in features.enumerated() { byExample[f.example].append(k) }
        func top(_ values: [Float]) -> [Int] {
            // np.argsort(x)[-1 : -n-1 : -1]: descending; for ties the later index first.
            Array(values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 > $1 }.prefix(nBestSize))
        }
        struct Candidate { var offsets: Range<Int>; var score: Float; var startLogit: Float; var endLogit: Float; var isNull: Bool }
        return examples.enumerated().map { e, example in
            var minNull: Candidate?
            var prelim: [Candidate] = []
            for k in byExample[e] {
                let f = features[k], l = logits[k]
                let nullScore = l.start[0] + l.end[0]
                if minNull == nil || minNull!.score > nullScore {
                    minNull = Candidate(offsets: 0..<0, score: nullScore, startLogit: l.start[0], endLogit: l.end[0], isNull: true)
                }
                let n = min(f.offsets.count, l.start.count)
                for s in top(Array(l.start.prefix(n))) {
                    for t in top(Array(l.end.prefix(n))) {
                        guard let so = f.offsets[s], let eo = f.offsets[t] else { continue }
                        if t < s || t - s + 1 > maxAnswerLength { continue }
                        prelim.append(Candidate(offsets: so.lowerBound..<max(so.lowerBound, eo.upperBound),
                                                score: l.start[s] + l.end[t], startLogit: l.start[s], endLogit: l.end[t], isNull: false))
                    }
                }
            }
            if versionTwo, let minNull { prelim.append(minNull) }
            // Python's sorted(…, reverse=True) is stable.
            var best = Array(prelim.enumerated().sorted { $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset }
                .map(\.element).prefix(nBestSize))
            if versionTwo, let minNull, !best.contains(where: { $0.offsets == 0..<0 }) { best.append(minNull) }
            let scalars = Array(example.context.unicodeScalars)
            func text(_ c: Candidate) -> String {
                let r = min(c.offsets.lowerBound, scalars.count)..<min(c.offsets.upperBound, scalars.count)
                var s = String.UnicodeScalarView(); s.append(contentsOf: scalars[r]); return String(s)
            }
            var texts = best.map(text)
            if texts.isEmpty || (texts.count == 1 && texts[0].isEmpty) {
                best.insert(Candidate(offsets: 0..<0, score: 0, startLogit: 0, endLogit: 0, isNull: false), at: 0)
                texts.insert("empty", at: 0)
            }
            guard versionTwo, let minNull else { return QAPrediction(text: texts[0], nullOdds: nil) }
            guard let i = texts.firstIndex(where: { !$0.isEmpty }) else { return QAPrediction(text: "", nullOdds: nil) }
            let diff = minNull.score - best[i].startLogit - best[i].endLogit
            return QAPrediction(text: diff > nullScoreDiffThreshold ? "" : texts[i], nullOdds: diff)
        }
    }
}

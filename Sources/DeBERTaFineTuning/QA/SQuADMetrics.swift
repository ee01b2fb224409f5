import Foundation

/// The official SQuAD evaluation scripts' logic: `evaluate-v1.1.py` (exact match and F1, the
/// maximum over the gold answers, every question counted) and `evaluate-v2.0.py` (the same with
/// no-answer questions scored against "", HasAns / NoAns splits, the `na_prob_thresh` of 1.0, and
/// with no-answer odds the best thresholds, `best_exact` / `best_f1`).
public enum SQuADMetrics {
    static let punctuation = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars)

    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        s == "_" || s.properties.isAlphabetic || s.properties.numericType != nil
    }

    /// The official `normalize_answer`: lower case, no ASCII punctuation, no articles (a, an, the
    /// as whole words), white space collapsed.
    public static func normalize(_ text: String) -> String {
        let lowered = text.lowercased().unicodeScalars.filter { !punctuation.contains($0) }
        // `\b(a|an|the)\b` → " ": a whole run of word characters equal to an article.
        var out = String.UnicodeScalarView(), run = String.UnicodeScalarView()
        func flush() {
            let word = String(run)
            if word == "a" || word == "an" || word == "the" { out.append(" ") } else { out.append(contentsOf: run) }
            run = String.UnicodeScalarView()
        }
        for s in lowered {
            if isWordScalar(s) { run.append(s) } else { flush(); out.append(s) }
        }
        flush()
        return tokens(String(out)).joined(separator: " ")
    }

    static func tokens(_ text: String) -> [String] {
        text.unicodeScalars.split { $0.properties.isWhitespace }.map { String(String.UnicodeScalarView($0)) }
    }

    public static func exact(_ gold: String, _ predicted: String) -> Double {
        normalize(gold) == normalize(predicted) ? 1 : 0
    }

    /// Token F1 of the normalized answers; `versionTwo`: 1 when both are empty, 0 when one is
    /// (v1.1 gives 0 whenever no token is shared).
    public static func f1(_ gold: String, _ predicted: String, versionTwo: Bool = false) -> Double {
        let g = tokens(normalize(gold)), p = tokens(normalize(predicted))
        if versionTwo, g.isEmpty || p.isEmpty { return g == p ? 1 : 0 }
        var counts: [String: Int] = [:]
        for t in g { counts[t, default: 0] += 1 }
        var same = 0
        for t in p where counts[t, default: 0] > 0 { counts[t]! -= 1; same += 1 }
        if same == 0 { return 0 }
        let precision = Double(same) / Double(p.count), recall = Double(same) / Double(g.count)
        return 2 * precision * recall / (precision + recall)
    }

    /// `evaluate-v1.1.py`: `exact_match` and `f1` (0–100) over every question of `examples`; a
    /// question without a prediction scores 0.
    public static func versionOne(examples: [SQuADExample], predictions: [String: String]) -> [String: Double] {
        var em = 0.0, f = 0.0
        for ex in examples {
            guard let p = predictions[ex.id] else { continue }
            let golds = ex.answers.map(\.text)
            em += golds.map { exact($0, p) }.max() ?? 0
            f += golds.map { f1($0, p) }.max() ?? 0
        }
        let total = Double(examples.count)
        return ["exact_match": 100 * em / total, "f1": 100 * f / total, "total": total]
    }

    /// `evaluate-v2.0.py` with `--na-prob-file` (`naProbs`, all 0 when nil) and the default
    /// `--na-prob-thresh` 1.0: `exact`, `f1`, `total`, `HasAns_*`, `NoAns_*`, and with `naProbs`
    /// `best_exact`, `best_exact_thresh`, `best_f1`, `best_f1_thresh`. Questions without a
    /// prediction are left out, as the script does.
    public static func versionTwo(examples: [SQuADExample], predictions: [String: String], naProbs: [String: Double]?,
                                  naProbThreshold: Double = 1.0) -> [String: Double] {
        var hasAnswer: [String: Bool] = [:]
        var exactRaw: [String: Double] = [:], f1Raw: [String: Double] = [:]
        var order: [String] = []
        for ex in examples {
            hasAnswer[ex.id] = !ex.answers.isEmpty
            guard let p = predictions[ex.id] else { continue }
            var golds = ex.answers.map(\.text).filter { !normalize($0).isEmpty }
            if golds.isEmpty { golds = [""] }
            if exactRaw[ex.id] == nil { order.append(ex.id) }
            exactRaw[ex.id] = golds.map { exact($0, p) }.max()!
            f1Raw[ex.id] = golds.map { f1($0, p, versionTwo: true) }.max()!
        }
        let probs = naProbs ?? Dictionary(uniqueKeysWithValues: order.map { ($0, 0.0) })
        func thresholded(_ scores: [String: Double]) -> [String: Double] {
            var out = scores
            for (id, s) in scores { out[id] = probs[id, default: 0] > naProbThreshold ? (hasAnswer[id]! ? 0 : 1) : s }
            return out
        }
        let exactT = thresholded(exactRaw), f1T = thresholded(f1Raw)
        var result: [String: Double] = [:]
        func add(_ prefix: String, _ ids: [String]) {
            guard !ids.isEmpty else { return }
            let n = Double(ids.count)
            result[prefix + "exact"] = 100 * ids.reduce(0) { $0 + exactT[$1]! } / n
            result[prefix + "f1"] = 100 * ids.reduce(0) { $0 + f1T[$1]! } / n
            result[prefix + "total"] = n
        }
        add("", order)
        add("HasAns_", order.filter { hasAnswer[$0]! })
        add("NoAns_", order.filter { !hasAnswer[$0]! })
        if let naProbs {
            var position: [String: Int] = [:]
            for (k, id) in order.enumerated() { position[id] = k }
            func best(_ scores: [String: Double]) -> (Double, Double) {
                let noAnswers = hasAnswer.values.filter { !$0 }.count
                var current = Double(noAnswers), bestScore = current, bestThreshold = 0.0
                // sorted(na_probs, key=…) is stable over the file's order.
                let ids = naProbs.keys.sorted { a, b in
                    naProbs[a]! != naProbs[b]! ? naProbs[a]! < naProbs[b]! : (position[a] ?? .max, a) < (position[b] ?? .max, b)
                }
                for id in ids {
                    guard let s = scores[id] else { continue }
                    let diff = hasAnswer[id]! ? s : ((predictions[id] ?? "").isEmpty ? 0 : -1)
                    current += diff
                    if current > bestScore { bestScore = current; bestThreshold = naProbs[id]! }
                }
                return (100 * bestScore / Double(scores.count), bestThreshold)
            }
            (result["best_exact"], result["best_exact_thresh"]) = best(exactRaw)
            (result["best_f1"], result["best_f1_thresh"]) = best(f1Raw)
        }
        return result
    }
}

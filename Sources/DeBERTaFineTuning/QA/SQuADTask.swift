import DeBERTaFiles
import DeBERTaModeling
import DeBERTaTensors
import DeBERTaTokenizers
import Foundation

/// The splits of the SQuAD tasks.
public enum SQuADSplit: String, TaskSplit, CaseIterable {
    case train, dev

    public var name: String { rawValue }
}

/// Extractive question answering on SQuAD (`--task_name SQuAD`, v1.1) or SQuAD 2.0
/// (`--task_name SQuADv2`), as transformers' `run_qa.py` does it:
///
/// - `--data_dir` holds the official files: `train-v1.1.json` and `dev-v1.1.json`, or
///   `train-v2.0.json` and `dev-v2.0.json` (``SQuADFile``);
/// - features as ``QAFeatures`` makes them (`docStride`, `maxQueryLength`);
/// - the question-answering head (`DebertaV2ForQuestionAnswering`: start and end logits) with the
///   mean of the start and end cross-entropies;
/// - predictions by ``QAPostProcessing`` (`nBestSize`, `maxAnswerLength`; for v2 the null answer
///   with `nullScoreDiffThreshold`);
/// - metrics of the official scripts (``SQuADMetrics``): `exact_match` and `f1` (0–100), and for
///   v2 the HasAns / NoAns splits and the best no-answer threshold (`best_f1_thresh`);
///   `eval_metric` = `f1`;
/// - `predictions_<split>.json` (`{id: answer}`) and for v2 `null_odds_<split>.json`.
public struct SQuADTask: FineTuningTask {
    public var versionTwo: Bool
    public var docStride: Int
    public var maxQueryLength: Int
    public var nBestSize: Int
    public var maxAnswerLength: Int
    public var nullScoreDiffThreshold: Float

    public init(versionTwo: Bool = false, docStride: Int = 128, maxQueryLength: Int = 64, nBestSize: Int = 20,
                maxAnswerLength: Int = 30, nullScoreDiffThreshold: Float = 0) {
        self.versionTwo = versionTwo
        self.docStride = docStride
        self.maxQueryLength = maxQueryLength
        self.nBestSize = nBestSize
        self.maxAnswerLength = maxAnswerLength
        self.nullScoreDiffThreshold = nullScoreDiffThreshold
    }

    public var displayName: String { versionTwo ? "SQuADv2" : "SQuAD" }
    public var head: HeadKind { .questionAnswering }
    public var labelNames: [String]? { nil }
    public var trainSplit: SQuADSplit { .train }
    public var evaluationSplits: [SQuADSplit] { [.dev] }
    public var predictionSplits: [SQuADSplit] { [.dev] }

    /// `train-v1.1.json` / `dev-v1.1.json`, or the `-v2.0` names.
    public func dataFile(for split: SQuADSplit, in dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("\(split.rawValue)-\(versionTwo ? "v2.0" : "v1.1").json")
    }

    public func examples(split: SQuADSplit, dataDirectory: URL) throws -> [SQuADExample] {
        let url = dataFile(for: split, in: dataDirectory)
        let examples = try SQuADFile.read(url)
        guard !examples.isEmpty else { throw TaskDataError(.noExamples, file: url.path, "no questions") }
        if !versionTwo, let q = examples.first(where: { $0.answers.isEmpty }) {
            throw TaskDataError(.noExamples, file: url.path, "question \(q.id) has no answer (a SQuAD 2.0 file? use --task_name SQuADv2)")
        }
        return examples
    }

    public func features(for examples: [SQuADExample], tokenizer: Tokenizer, maxSequenceLength: Int) throws -> [QAFeature] {
        try QAFeatures.make(examples, tokenizer: tokenizer, maxSequenceLength: maxSequenceLength,
                            docStride: docStride, maxQueryLength: maxQueryLength)
    }

    /// The answer's first and last token of every feature, `[B]` each.
    public func lossLabels(for features: [QAFeature], batch: PaddedBatch) throws -> Labels {
        var starts: [Int32] = [], ends: [Int32] = []
        for f in features {
            guard let s = f.startPosition, let e = f.endPosition else {
                throw ModelError.input("\(displayName): a question without gold answers cannot be trained on")
            }
            starts.append(Int32(s)); ends.append(Int32(e))
        }
        return .spans(start: IndexTensor(starts, shape: [features.count]), end: IndexTensor(ends, shape: [features.count]))
    }

    /// The start and end logits of each feature's own tokens, from `[B, N, 2]` logits.
    public func outputs(logits: Tensor, features: [QAFeature]) throws -> [QAFeatureLogits] {
        guard logits.shape.count == 3, logits.dim(0) == features.count, logits.dim(2) == 2 else {
            throw ModelError.input("\(displayName): logits \(logits.shape) for \(features.count) features")
        }
        let columns = logits.dim(1), values = logits.scalars
        return features.enumerated().map { r, f in
            let n = min(f.inputIds.count, columns)
            var s = [Float](repeating: 0, count: n), e = s
            for t in 0..<n { s[t] = values[(r * columns + t) * 2]; e[t] = values[(r * columns + t) * 2 + 1] }
            return QAFeatureLogits(start: s, end: e)
        }
    }

    public func predictions(from outputs: [QAFeatureLogits], features: [QAFeature], examples: [SQuADExample]) throws -> [QAPrediction] {
        QAPostProcessing.predict(examples: examples, features: features, logits: outputs, nBestSize: nBestSize,
                                 maxAnswerLength: maxAnswerLength, versionTwo: versionTwo,
                                 nullScoreDiffThreshold: nullScoreDiffThreshold)
    }

    /// The official script's metrics, `exact_match` and `f1` first, `eval_metric` = `f1`.
    public func evaluate(_ predictions: [QAPrediction], examples: [SQuADExample]) throws -> [String: Double]? {
        guard !examples.isEmpty else { return nil }
        var texts: [String: String] = [:]
        for (p, e) in zip(predictions, examples) { texts[e.id] = p.text }
        if !versionTwo {
            guard examples.allSatisfy({ !$0.answers.isEmpty }) else { return nil }
            var m = SQuADMetrics.versionOne(examples: examples, predictions: texts)
            m["eval_metric"] = m["f1"]
            return m
        }
        var odds: [String: Double] = [:]
        for (p, e) in zip(predictions, examples) { odds[e.id] = Double(p.nullOdds ?? 0) }
        var m = SQuADMetrics.versionTwo(examples: examples, predictions: texts, naProbs: odds)
        m["exact_match"] = m.removeValue(forKey: "exact")
        m["eval_metric"] = m["f1"]
        return m
    }

    /// `predictions_<split>.json` and, for v2, `null_odds_<split>.json`, in the official scripts'
    /// input format (one object, question id to answer / to null odds, in file order).
    public func writePredictions(_ predictions: [QAPrediction], examples: [SQuADExample], split: SQuADSplit, directory: URL) throws -> URL? {
        guard predictions.count == examples.count else {
            throw ModelError.input("\(displayName) \(split.name): \(predictions.count) predictions for \(examples.count) questions")
        }
        var seen = Set<String>()
        var answers: [String] = [], odds: [String] = []
        for (p, e) in zip(predictions, examples) where seen.insert(e.id).inserted {
            answers.append("\(JSONWriter.quoted(e.id)): \(JSONWriter.quoted(p.text))")
            odds.append("\(JSONWriter.quoted(e.id)): \(Double(p.nullOdds ?? 0))")
        }
        let url = directory.appendingPathComponent("predictions_\(split.name).json")
        try writeFileAtomically(Data(("{" + answers.joined(separator: ", ") + "}\n").utf8), to: url)
        if versionTwo {
            try writeFileAtomically(Data(("{" + odds.joined(separator: ", ") + "}\n").utf8),
                                    to: directory.appendingPathComponent("null_odds_\(split.name).json"))
        }
        return url
    }
}

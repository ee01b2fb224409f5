import DeBERTaFiles
import DeBERTaModeling
import DeBERTaTensors
import DeBERTaTokenizers
import Foundation

/// The splits of the NER task.
public enum NERSplit: String, TaskSplit, CaseIterable {
    case train, dev, test

    public var name: String { rawValue }
}

/// Named-entity recognition on CoNLL-2003-style files (`--task_name NER`), as the original app's
/// `NERTask` (`apps/tasks/ner_task.py`) sets it up:
///
/// - `--data_dir` holds `train.txt`, `valid.txt` (dev) and `test.txt`, or CoNLL-2003's own
///   `eng.train`, `eng.testa`, `eng.testb` (see ``dataFile(for:in:)``);
/// - the labels are the original's nine, in its order (`O`, `B-MISC`, `I-MISC`, `B-PER`, `I-PER`,
///   `B-ORG`, `I-ORG`, `B-LOC`, `I-LOC`), read as IOB1 or IOB2 alike; another tag is an error;
/// - features as ``NERFeatures`` makes them; a token-classification head
///   (`DebertaV2ForTokenClassification`: dropout and a linear layer on every token — the original
///   adds a dense + GELU layer first, which transformers' class does not have) with cross-entropy
///   over the labelled sub-tokens;
/// - metrics: seqeval's entity-level `precision`, `recall`, `f1` (``EntityMetrics``), its word
///   `accuracy`, and `eval_metric` = `f1` (the original's `critial_metrics`), over every word;
/// - predictions: `predictions_<split>.txt`, one `word gold predicted` line per word and a blank
///   line between sentences — conlleval's input layout (gold `O` where the file has no tags).
public struct NERTask: FineTuningTask {
    /// The original's labels, in its class order.
    public static let defaultLabels = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]

    /// The tags, in class-index order; `O` must be one of them.
    public let labels: [String]

    public init(labels: [String] = NERTask.defaultLabels) {
        precondition(labels.contains("O"), "NERTask: the labels must include O")
        self.labels = labels
    }

    public var displayName: String { "NER" }
    public var head: HeadKind { .tokenClassification(numLabels: labels.count) }
    public var labelNames: [String]? { labels }
    public var trainSplit: NERSplit { .train }
    public var evaluationSplits: [NERSplit] { [.dev] }
    public var predictionSplits: [NERSplit] { [.test] }

    /// The file names of a split, the original's first: `train.txt` / `eng.train`, `valid.txt` /
    /// `eng.testa`, `test.txt` / `eng.testb`.
    public static func fileNames(for split: NERSplit) -> [String] {
        switch split {
        case .train: return ["train.txt", "eng.train"]
        case .dev: return ["valid.txt", "eng.testa"]
        case .test: return ["test.txt", "eng.testb"]
        }
    }

    /// The first of ``fileNames(for:)`` that exists in `dataDirectory` (the original's name if none does).
    public func dataFile(for split: NERSplit, in dataDirectory: URL) -> URL {
        let candidates = Self.fileNames(for: split).map { dataDirectory.appendingPathComponent($0) }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) } ?? candidates[0]
    }

    /// The sentences of `split`; the training and dev files must carry tags (the test file may not).
    /// - Throws: ``TaskDataError`` naming the file, line and column.
    public func examples(split: NERSplit, dataDirectory: URL) throws -> [CoNLLSentence] {
        let url = dataFile(for: split, in: dataDirectory)
        let sentences = try CoNLLFile.read(url, labels: labels)
        guard !sentences.isEmpty else { throw TaskDataError(.noExamples, file: url.path, "no sentences") }
        if split != .test, sentences[0].tags == nil {
            throw TaskDataError(.noExamples, file: url.path, line: sentences[0].lines[0],
                                "no tag column (one column a line); the \(split.name) file needs the gold tags")
        }
        return sentences
    }

    public func features(for examples: [CoNLLSentence], tokenizer: Tokenizer, maxSequenceLength: Int) throws -> [NERFeature] {
        try NERFeatures.make(examples, tokenizer: tokenizer, maxSequenceLength: maxSequenceLength, labels: labels)
    }

    /// A class per token, `[B, N]`, -100 at padding and wherever no word starts.
    public func lossLabels(for features: [NERFeature], batch: PaddedBatch) throws -> Labels {
        .classes(IndexTensor(batch.aligned(features.map(\.labels), padding: -100), shape: [batch.rows, batch.columns]))
    }

    /// The arg-max class at each word's first sub-token, from `[B, N, labels]` logits.
    public func outputs(logits: Tensor, features: [NERFeature]) throws -> [[Int]] {
        let n = labels.count, columns = logits.dim(1)
        guard logits.shape.count == 3, logits.dim(0) == features.count, logits.dim(2) == n else {
            throw ModelError.input("NER: logits \(logits.shape) for \(features.count) features and \(n) labels")
        }
        let values = logits.scalars
        return features.enumerated().map { r, feature in
            feature.words.map { position in
                let start = (r * columns + position.token) * n
                let row = values[start..<(start + n)]
                return row.indices.max { row[$0] < row[$1] }! - start
            }
        }
    }

    /// Each sentence's classes, one per word: a word no feature predicts (no sub-tokens) is `O`.
    public func predictions(from outputs: [[Int]], features: [NERFeature], examples: [CoNLLSentence]) throws -> [[Int]] {
        let outside = labels.firstIndex(of: "O")!
        var classes = examples.map { [Int](repeating: outside, count: $0.words.count) }
        for (feature, output) in zip(features, outputs) {
            for (position, c) in zip(feature.words, output) { classes[position.sentence][position.word] = c }
        }
        return classes
    }

    /// seqeval's metrics (``EntityMetrics``): `precision`, `recall`, `f1`, `accuracy`, and
    /// `eval_metric` = `f1`; nil for sentences without tags.
    public func evaluate(_ predictions: [[Int]], examples: [CoNLLSentence]) throws -> [String: Double]? {
        guard !examples.isEmpty, examples.allSatisfy({ $0.tags != nil }) else { return nil }
        let scores = try EntityMetrics.score(gold: examples.map { $0.tags! }, predicted: predictions.map { $0.map { labels[$0] } })
        return ["precision": scores.precision, "recall": scores.recall, "f1": scores.f1,
                "accuracy": scores.accuracy, "eval_metric": scores.f1]
    }

    /// `predictions_<split>.txt` in CoNLL layout: `word gold predicted` (gold `O` when the file has
    /// no tags), a blank line between sentences, every word of the file.
    public func writePredictions(_ predictions: [[Int]], examples: [CoNLLSentence], split: NERSplit, directory: URL) throws -> URL? {
        guard predictions.count == examples.count else {
            throw ModelError.input("NER \(split.name): \(predictions.count) predicted sentences for \(examples.count)")
        }
        var text = ""
        for (k, (sentence, classes)) in zip(examples, predictions).enumerated() {
            if k > 0 { text += "\n" }
            for (w, word) in sentence.words.enumerated() {
                text += "\(word) \(sentence.tags?[w] ?? "O") \(labels[classes[w]])\n"
            }
        }
        let url = directory.appendingPathComponent("predictions_\(split.name).txt")
        try writeFileAtomically(Data(text.utf8), to: url)
        return url
    }
}

import DeBERTaGLUE
import DeBERTaModeling
import DeBERTaTensors
import DeBERTaTokenizers
import Foundation

extension GLUESplit: TaskSplit {}

extension GLUEFeature: TaskFeature {}

/// A GLUE task as a fine-tuning task, as the original app runs it: one example is one feature
/// (``GLUEFeatures``), a sequence-classification head (one output for STS-B's regression) with
/// cross-entropy (mean squared error for STS-B), the task's GLUE metrics on its dev splits, and
/// the GLUE server's files for its test splits.
extension GLUETask: FineTuningTask {
    public var displayName: String { directoryName }
    public var head: HeadKind { .sequenceClassification(numLabels: numLabels) }
    public var labelNames: [String]? { isRegression ? nil : labels }
    public var trainSplit: GLUESplit { .train }
    public var evaluationSplits: [GLUESplit] { devSplits }
    public var predictionSplits: [GLUESplit] { testSplits }

    public func dataFile(for split: GLUESplit, in dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent(fileName(for: split) ?? "\(split.name).tsv")
    }

    public func features(for examples: [GLUEExample], tokenizer: Tokenizer, maxSequenceLength: Int) throws -> [GLUEFeature] {
        try GLUEFeatures.make(examples, tokenizer: tokenizer, maxSequenceLength: maxSequenceLength)
    }

    /// One class index (a score for STS-B) per feature.
    public func lossLabels(for features: [GLUEFeature], batch: PaddedBatch) throws -> Labels {
        if isRegression {
            let y = try features.map { f -> Float in
                guard let s = f.label?.score else { throw ModelError.input("a training example has no score") }
                return Float(s)
            }
            return .values(Tensor(y, shape: [features.count]))
        }
        let y = try features.map { f -> Int32 in
            guard let c = f.label?.classIndex else { throw ModelError.input("a training example has no label") }
            return Int32(c)
        }
        return .classes(IndexTensor(y, shape: [features.count]))
    }

    /// The score (STS-B) or the arg-max class of each row of `[B, labels]` logits (`[B]` for STS-B).
    public func outputs(logits: Tensor, features: [GLUEFeature]) throws -> [LabelValue] {
        if isRegression { return logits.scalars.map { .score(Double($0)) } }
        let n = numLabels
        let values = logits.scalars
        return (0..<features.count).map { r in
            let row = values[(r * n)..<((r + 1) * n)]
            return .classIndex(row.indices.max { row[$0] < row[$1] }! - r * n)
        }
    }

    public func predictions(from outputs: [LabelValue], features: [GLUEFeature], examples: [GLUEExample]) throws -> [LabelValue] {
        outputs
    }

    /// ``DeBERTaGLUE/GLUEMetrics/evaluate(task:predictions:examples:)``; nil for unlabelled (test) examples.
    public func evaluate(_ predictions: [LabelValue], examples: [GLUEExample]) throws -> [String: Double]? {
        guard !examples.isEmpty, examples.allSatisfy({ $0.label != nil }) else { return nil }
        return try GLUEMetrics.evaluate(task: self, predictions: predictions, examples: examples)
    }

    /// The GLUE server's file for a test split (`RTE.tsv`, `MNLI-m.tsv`, …); nothing for a dev split.
    public func writePredictions(_ predictions: [LabelValue], examples: [GLUEExample], split: GLUESplit, directory: URL) throws -> URL? {
        guard submissionFileName(for: split) != nil else { return nil }
        return try GLUEPredictionWriter.writeSubmission(task: self, split: split, predictions: predictions,
                                                        examples: examples, directory: directory)
    }
}

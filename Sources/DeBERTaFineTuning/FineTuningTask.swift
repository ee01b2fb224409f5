import DeBERTaGLUE
import DeBERTaModeling
import DeBERTaTensors
import DeBERTaTokenizers
import Foundation

/// A split of a task's data (`train`, `dev`, `test`, MNLI's `dev_matched`, …), named as in
/// `eval_results.jsonl` and in messages.
public protocol TaskSplit: Hashable, Sendable {
    /// The split's name, e.g. `"dev"`.
    var name: String { get }
}

/// One model input made from a task's examples: the part every task's features share. The run
/// pads `inputIds` with the tokenizer's `[PAD]` and `tokenTypeIds` with 0; the task adds the
/// targets (``FineTuningTask/lossLabels(for:batch:)``).
public protocol TaskFeature: Sendable {
    /// The token ids, special tokens included (`[CLS] … [SEP]`).
    var inputIds: [Int32] { get }
    /// The segment ids, as many as `inputIds`.
    var tokenTypeIds: [Int32] { get }
}

/// Everything that makes one fine-tuning task what it is, in one place: how its examples are read,
/// how they become model inputs, which head the model gets and what its loss is given, how the
/// head's output becomes a prediction, which metrics score it, and how predictions are written.
///
/// ``FineTuningRun`` does the rest — tokenizer and model loading, training with checkpoints and
/// resume, evaluations in `eval_results.jsonl`, the saved `model/` folder — the same way for every
/// task. GLUE (``DeBERTaGLUE/GLUETask``) and ``NERTask`` conform; a new task is one type that conforms
/// and one entry in ``FineTuningTasks/named(_:)``.
///
/// Features are not examples: a GLUE example is one feature, but an NER feature may hold several
/// sentences of a document or part of a long one. The run therefore predicts per feature
/// (``outputs(logits:features:)``) and the task assembles the example predictions
/// (``predictions(from:features:examples:)``).
public protocol FineTuningTask: Sendable {
    /// The task's data splits.
    associatedtype Split: TaskSplit
    /// One unit of the data files (a GLUE row, an NER sentence).
    associatedtype Example: Sendable
    /// One model input.
    associatedtype Feature: TaskFeature
    /// What the head says about one feature (a GLUE label, an NER feature's word tags).
    associatedtype FeatureOutput: Sendable
    /// The prediction for one example.
    associatedtype Prediction: Sendable

    /// The task's name in messages and logs, e.g. `"RTE"`, `"NER"`.
    var displayName: String { get }
    /// The head the model gets (its number of labels included).
    var head: HeadKind { get }
    /// The label names written as `id2label` into the saved model's `config.json`, in class-index
    /// order; nil for a head without named classes (regression).
    var labelNames: [String]? { get }

    /// The split `--do_train` trains on.
    var trainSplit: Split { get }
    /// The labelled splits evaluated during training and by `--do_eval`.
    var evaluationSplits: [Split] { get }
    /// The splits `--do_predict` writes predictions for (and scores, when they carry gold labels).
    var predictionSplits: [Split] { get }

    /// The file `split` is read from inside `dataDirectory` (it need not exist: the run skips an
    /// evaluation or prediction split whose file is absent).
    func dataFile(for split: Split, in dataDirectory: URL) -> URL
    /// Reads `split` from `dataDirectory`.
    /// - Throws: an error naming the file (and line) for a missing or malformed file.
    func examples(split: Split, dataDirectory: URL) throws -> [Example]
    /// The model inputs of `examples`, none longer than `maxSequenceLength` tokens.
    func features(for examples: [Example], tokenizer: Tokenizer, maxSequenceLength: Int) throws -> [Feature]
    /// The loss's targets for `features`, padded like `batch` (their ids padded to the longest).
    /// - Throws: when a feature has no gold label (training on an unlabelled file).
    func lossLabels(for features: [Feature], batch: PaddedBatch) throws -> Labels
    /// What the head's `logits` (for `features`, padded to their longest) say about each feature.
    func outputs(logits: Tensor, features: [Feature]) throws -> [FeatureOutput]
    /// The predictions for `examples` from the outputs of their `features` (both in input order).
    func predictions(from outputs: [FeatureOutput], features: [Feature], examples: [Example]) throws -> [Prediction]
    /// The metrics of `predictions` against the gold labels of `examples`, keyed as in
    /// `eval_results.jsonl` (with `eval_metric`, the model-selection value); nil when the examples
    /// carry no gold labels (a test file).
    func evaluate(_ predictions: [Prediction], examples: [Example]) throws -> [String: Double]?
    /// Writes the predictions for `split` into `directory` atomically and returns the file, or nil
    /// when the task writes none for that split (GLUE writes only the server's test files).
    func writePredictions(_ predictions: [Prediction], examples: [Example], split: Split, directory: URL) throws -> URL?
}

/// The tasks `--task_name` knows.
public enum FineTuningTasks {
    /// The names accepted besides the GLUE tasks'.
    public static let otherNames = ["ner", "squad", "squadv2"]

    /// The task called `name` (case-insensitive): a GLUE task (`rte`, `sst-2`, …) or `NER`.
    /// - Throws: a message listing the known names.
    public static func named(_ name: String) throws -> any FineTuningTask {
        switch name.lowercased() {
        case "ner": return NERTask()
        case "squad", "squadv1", "squadv1.1": return SQuADTask()
        case "squadv2", "squadv2.0", "squad2": return SQuADTask(versionTwo: true)
        default:
            do {
                return try GLUETask(name: name)
            } catch {
                let known = GLUETask.allCases.map(\.rawValue) + otherNames
                throw ModelError.input("unknown task name \"\(name)\" (known: \(known.joined(separator: ", ")))")
            }
        }
    }
}

import DeBERTaFiles
import Foundation

/// Writes test-set predictions in the format the GLUE server accepts.
///
/// Each file has the header `index\tprediction`, then one row `i\t<prediction>` per test example in the
/// order of the test file. Classification predictions are written as the task's label strings
/// (`entailment`/`not_entailment`, `contradiction`/`neutral`/`entailment`, `0`/`1`); STS-B scores as
/// the raw number (shortest round-trip decimal), **not clamped** — the original writes the raw model
/// output too. The original writes the plural header `predictions`; the server's singular form is used here.
public enum GLUEPredictionWriter {
    /// The header line (without its newline).
    public static let header = "index\tprediction"

    /// The text of a prediction file for `predictions`, in order.
    /// - Throws: `.invalidArgument` for a prediction of the wrong kind (score vs. class index), a class
    ///   index outside the task's labels, or a non-finite score, naming the row.
    public static func contents(task: GLUETask, predictions: [LabelValue]) throws -> String {
        var text = header + "\n"
        for (i, prediction) in predictions.enumerated() {
            text += "\(i)\t\(try format(prediction, task: task, row: i))\n"
        }
        return text
    }

    /// Writes `predictions` to `url` atomically (temporary file in the same directory, then rename).
    /// - Throws: as `contents(task:predictions:)`, or `.ioFailure` naming the file.
    public static func write(task: GLUETask, predictions: [LabelValue], to url: URL) throws {
        let text = try contents(task: task, predictions: predictions)
        do {
            try writeFileAtomically(Data(text.utf8), to: url)
        } catch let error as FileError {
            throw GLUEError(.ioFailure, file: url.path, error.message)
        }
    }

    /// Writes the server file for `split` (e.g. `MNLI-mm.tsv` for MNLI `.testMismatched`) into
    /// `directory` and returns its URL. `examples` are the test examples the predictions belong to; they
    /// must be in file order (`examples[i].index == i`) and as many as the predictions, so a batch order
    /// that was not restored, or a truncated run, is caught here.
    /// - Throws: `.unknownSplit` if `split` is not submitted for the task; `.invalidArgument` for a count or
    ///   order mismatch; as `write(task:predictions:to:)` otherwise.
    @discardableResult
    public static func writeSubmission(task: GLUETask, split: GLUESplit, predictions: [LabelValue],
                                       examples: [GLUEExample], directory: URL) throws -> URL {
        guard let fileName = task.submissionFileName(for: split) else {
            let submitted = task.testSplits.map(\.name).joined(separator: ", ")
            throw GLUEError(.unknownSplit, "\(task.directoryName) \(split.name) is not a submitted split "
                            + "(submitted: \(submitted))")
        }
        guard predictions.count == examples.count else {
            throw GLUEError(.invalidArgument, "\(fileName): \(predictions.count) predictions for "
                            + "\(examples.count) test examples")
        }
        if let misplaced = examples.indices.first(where: { examples[$0].index != $0 }) {
            throw GLUEError(.invalidArgument, "\(fileName): example at position \(misplaced) has index "
                            + "\(examples[misplaced].index); examples must be in test-file order")
        }
        let url = directory.appendingPathComponent(fileName)
        try write(task: task, predictions: predictions, to: url)
        return url
    }

    private static func format(_ prediction: LabelValue, task: GLUETask, row: Int) throws -> String {
        switch prediction {
        case .score(let value):
            guard task.isRegression else {
                throw GLUEError(.invalidArgument, "prediction \(row) is a score (\(value)) but "
                                + "\(task.directoryName) needs a class index")
            }
            guard value.isFinite else {
                throw GLUEError(.invalidArgument, "prediction \(row) is \(value), not a finite score")
            }
            return "\(value)"
        case .classIndex(let index):
            guard !task.isRegression else {
                throw GLUEError(.invalidArgument, "prediction \(row) is class \(index) but "
                                + "\(task.directoryName) needs a score")
            }
            guard task.labels.indices.contains(index) else {
                throw GLUEError(.invalidArgument, "prediction \(row) is class \(index), outside "
                                + "0..<\(task.labels.count) for \(task.directoryName)")
            }
            return task.labels[index]
        }
    }
}

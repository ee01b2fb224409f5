import Foundation

/// A GLUE task: its labels, splits, data files, metrics and submission file names, and a reader for its
/// data files.
///
/// Column choices and label orders follow the original microsoft/DeBERTa code (`apps/tasks/glue_tasks.py`),
/// which differs from Hugging Face's processors for MNLI and RTE/QNLI label orders and for QNLI's segment
/// order. The raw value is the canonical `--task_name`.
public enum GLUETask: String, CaseIterable, Sendable {
    /// Corpus of Linguistic Acceptability.
    case cola
    /// Stanford Sentiment Treebank, binary.
    case sst2 = "sst-2"
    /// Microsoft Research Paraphrase Corpus.
    case mrpc
    /// Semantic Textual Similarity Benchmark (regression).
    case stsb = "sts-b"
    /// Quora Question Pairs.
    case qqp
    /// Multi-Genre NLI (matched and mismatched dev/test sets).
    case mnli
    /// Question-answering NLI.
    case qnli
    /// Recognizing Textual Entailment.
    case rte
    /// Winograd NLI.
    case wnli
    /// The diagnostic set (predicted with an MNLI model).
    case ax

    /// Looks a task up by the name `--task_name` accepts, ignoring case: `cola`, `sst-2`/`sst2`, `mrpc`,
    /// `sts-b`/`stsb`, `qqp`, `mnli`, `qnli`, `rte`, `wnli`, `ax`.
    /// - Throws: `GLUEError` (`.unknownTask`) listing the accepted names.
    public init(name: String) throws {
        let key = name.lowercased()
        if let task = GLUETask(rawValue: key) {
            self = task
            return
        }
        switch key {
        case "sst2": self = .sst2
        case "stsb": self = .stsb
        default:
            let known = GLUETask.allCases.map(\.rawValue).joined(separator: ", ")
            throw GLUEError(.unknownTask, "unknown GLUE task name \"\(name)\" (known: \(known); also sst2, stsb)")
        }
    }

    var definition: any GLUETaskDefinition {
        switch self {
        case .cola: return CoLATask()
        case .sst2: return SST2Task()
        case .mrpc: return MRPCTask()
        case .stsb: return STSBTask()
        case .qqp: return QQPTask()
        case .mnli: return MNLITask()
        case .qnli: return QNLITask()
        case .rte: return RTETask()
        case .wnli: return WNLITask()
        case .ax: return AXTask()
        }
    }

    /// The canonical `--task_name`, e.g. `"sst-2"`.
    public var name: String { rawValue }
    /// The conventional data directory name, e.g. `"SST-2"`, `"STS-B"`, `"AX"`.
    public var directoryName: String { definition.displayName }
    /// The label strings in class-index order (the original code's `get_labels()`); empty for STS-B.
    public var labels: [String] { definition.labels }
    /// The number of model outputs: the number of labels, or 1 for the STS-B regression.
    public var numLabels: Int { isRegression ? 1 : labels.count }
    /// Whether the task is a regression (STS-B only).
    public var isRegression: Bool { definition.isRegression }
    /// The task's splits (train first where it has one, then dev, then test).
    public var splits: [GLUESplit] { definition.splits }
    /// The labelled evaluation splits: `[.dev]`, MNLI `[.devMatched, .devMismatched]`, AX `[.diagnostic]`.
    public var devSplits: [GLUESplit] { definition.devSplits }
    /// The unlabelled splits whose predictions go to the GLUE server.
    public var testSplits: [GLUESplit] { definition.testSplits }
    /// The metric names `GLUEMetrics.evaluate` reports for this task (MNLI also adds `accuracy_<genre>`
    /// entries when genres are given).
    public var metricNames: [String] { definition.metricNames }
    /// The metrics whose mean is the original's model-selection value (`eval_metric`): CoLA and AX
    /// `mcc`; MRPC and QQP `accuracy` + `f1`; STS-B `pearsonr` + `spearmanr`; the rest `accuracy`.
    public var selectionMetrics: [String] { definition.selectionMetrics }

    /// The file name of `split` inside the task's data directory (e.g. `"dev_matched.tsv"`), or `nil` if
    /// the task has no such split.
    public func fileName(for split: GLUESplit) -> String? { definition.layout(for: split)?.fileName }

    /// The prediction file name the GLUE server expects for `split` (`CoLA.tsv`, `MNLI-m.tsv`,
    /// `MNLI-mm.tsv`, `AX.tsv`, …), or `nil` for a split that is not submitted.
    public func submissionFileName(for split: GLUESplit) -> String? { definition.submissionFileName(for: split) }

    /// Reads `split` from its conventional file inside `dataDirectory` (the task's own folder, as the
    /// original's `--data_dir`), e.g. `<dataDirectory>/dev.tsv`.
    /// - Throws: `GLUEError` naming the file (and line) for a missing file, invalid UTF-8, a row with the
    ///   wrong number of fields, an unknown label or a bad score; `.unknownSplit` if the task has no such split.
    public func examples(split: GLUESplit, dataDirectory: URL) throws -> [GLUEExample] {
        let layout = try self.layout(for: split)
        return try GLUEFileReader.examples(task: definition, split: split, layout: layout,
                                           url: dataDirectory.appendingPathComponent(layout.fileName))
    }

    /// Reads `file` with the layout of `split` (for files stored under other names, e.g. CoLA 1.1's
    /// `in_domain_train.tsv` read as `.train`).
    /// - Throws: as `examples(split:dataDirectory:)`.
    public func examples(split: GLUESplit, file: URL) throws -> [GLUEExample] {
        let layout = try self.layout(for: split)
        return try GLUEFileReader.examples(task: definition, split: split, layout: layout, url: file)
    }

    /// Parses the bytes of a whole file with the layout of `split`; `fileName` is used in error messages.
    /// - Throws: as `examples(split:dataDirectory:)`.
    public func examples(split: GLUESplit, contents: [UInt8], fileName: String) throws -> [GLUEExample] {
        let layout = try self.layout(for: split)
        let rows = try TSVFile.parse(contents, path: fileName)
        return try GLUEFileReader.examples(task: definition, split: split, layout: layout, rows: rows, path: fileName)
    }

    private func layout(for split: GLUESplit) throws -> GLUEFileLayout {
        guard let layout = definition.layout(for: split) else {
            let available = splits.map(\.name).joined(separator: ", ")
            throw GLUEError(.unknownSplit, "\(directoryName) has no \(split.name) split (its splits: \(available))")
        }
        return layout
    }
}

/// What one GLUE task is: its labels, splits, file layouts and metrics. Each task has its own file
/// (`Tasks/CoLA.swift`, …) with a type conforming to this protocol; `GLUETask` is the public face.
protocol GLUETaskDefinition: Sendable {
    /// The name `--task_name` uses (lower case), e.g. `"sst-2"`.
    var name: String { get }
    /// The conventional data directory name, e.g. `"SST-2"`; also used in messages.
    var displayName: String { get }
    /// The label strings in class-index order (the original code's `get_labels()`); empty for STS-B.
    var labels: [String] { get }
    /// Whether the task is a regression (STS-B).
    var isRegression: Bool { get }
    /// The splits in the order train, dev…, test….
    var splits: [GLUESplit] { get }
    /// The labelled evaluation splits.
    var devSplits: [GLUESplit] { get }
    /// The metric names `evaluate` reports (before any per-genre accuracies).
    var metricNames: [String] { get }
    /// The metrics whose mean selects the model (the original's `critial_metrics`).
    var selectionMetrics: [String] { get }
    /// The file layout of `split`, or `nil` if the task has no such split.
    func layout(for split: GLUESplit) -> GLUEFileLayout?
    /// The file name the GLUE server expects for predictions on `split`, or `nil` if not a test split.
    func submissionFileName(for split: GLUESplit) -> String?
}

extension GLUETaskDefinition {
    /// The splits without labels.
    var testSplits: [GLUESplit] { splits.filter { !$0.isLabelled } }
}

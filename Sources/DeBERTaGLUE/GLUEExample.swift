/// One example of a GLUE data file: one or two texts and, except in test files, a label.
public struct GLUEExample: Equatable, Sendable {
    /// `"<split>-<index>"`, e.g. `"dev-0"`, unique within a task.
    public let guid: String
    /// The 0-based position among the examples read from the file (rows skipped as malformed, as QQP's
    /// are, do not count). Prediction files list examples by this index.
    public let index: Int
    /// The 1-based line of the file the example was read from.
    public let line: Int
    /// The first segment (the original code's first text), exactly as in the file.
    public let textA: String
    /// The second segment for sentence-pair tasks, `nil` for single-sentence tasks (CoLA, SST-2).
    public let textB: String?
    /// The gold label, or `nil` for unlabelled (test) files.
    public let label: LabelValue?
    /// The MNLI genre column (used for the original's per-genre accuracy); `nil` for other tasks.
    public let genre: String?

    /// Creates an example.
    public init(guid: String, index: Int, line: Int, textA: String, textB: String?, label: LabelValue?,
                genre: String? = nil) {
        self.guid = guid
        self.index = index
        self.line = line
        self.textA = textA
        self.textB = textB
        self.label = label
        self.genre = genre
    }
}

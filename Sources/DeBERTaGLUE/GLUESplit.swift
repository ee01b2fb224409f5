/// A data split of a GLUE task. The raw value is the split's name and its file's base name.
public enum GLUESplit: String, CaseIterable, Sendable {
    /// `train.tsv`.
    case train
    /// `dev.tsv` (every task except MNLI and AX).
    case dev
    /// `test.tsv`, unlabelled.
    case test
    /// MNLI `dev_matched.tsv`.
    case devMatched = "dev_matched"
    /// MNLI `dev_mismatched.tsv`.
    case devMismatched = "dev_mismatched"
    /// MNLI `test_matched.tsv`, unlabelled.
    case testMatched = "test_matched"
    /// MNLI `test_mismatched.tsv`, unlabelled.
    case testMismatched = "test_mismatched"
    /// The labelled diagnostic set `diagnostic-full.tsv` (AX).
    case diagnostic

    /// The split's name, as in file names and `guid`s (e.g. `dev_matched`).
    public var name: String { rawValue }

    /// Whether files of this split carry labels (test splits do not).
    public var isLabelled: Bool {
        switch self {
        case .test, .testMatched, .testMismatched: return false
        case .train, .dev, .devMatched, .devMismatched, .diagnostic: return true
        }
    }
}

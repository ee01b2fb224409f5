/// Where a field is in a row: counted from the start or from the end.
enum GLUEColumn: Sendable {
    /// The 0-based field index from the start of the row.
    case index(Int)
    /// Counted from the end: 1 is the last field (Python's `l[-1]`), 2 the one before it.
    case fromEnd(Int)

    /// The 0-based index in a row of `count` fields.
    func position(inRowOf count: Int) -> Int {
        switch self {
        case .index(let index): return index
        case .fromEnd(let offset): return count - offset
        }
    }

    /// The smallest number of fields a row needs for this column to exist.
    var minimumFieldCount: Int {
        switch self {
        case .index(let index): return index + 1
        case .fromEnd(let offset): return offset
        }
    }
}

/// How many tab-separated fields the rows of a file must have.
enum GLUEFieldCount: Sendable {
    /// Every line, the header included, has exactly this many fields.
    case exactly(Int)
    /// Every line has at least this many fields (QQP's test file, read by the original with `l[-2]`, `l[-1]`).
    case atLeast(Int)
    /// Every data row has as many fields as the header, which must have at least `minimum`
    /// (MNLI: 12 fields in train, 16 in dev, 10 in test).
    case sameAsHeader(minimum: Int)

    /// Whether a row of `count` fields fits, given the header's field count (if the file has a header).
    func accepts(_ count: Int, headerCount: Int?) -> Bool {
        switch self {
        case .exactly(let expected): return count == expected
        case .atLeast(let minimum): return count >= minimum
        case .sameAsHeader(let minimum): return count == (headerCount ?? minimum) && count >= minimum
        }
    }

    /// "exactly 4", "at least 3", "16 (as many as the header)" — for error messages.
    func expectation(headerCount: Int?) -> String {
        switch self {
        case .exactly(let expected): return "exactly \(expected)"
        case .atLeast(let minimum): return "at least \(minimum)"
        case .sameAsHeader(let minimum):
            if let headerCount { return "\(headerCount) (as many as the header)" }
            return "at least \(minimum)"
        }
    }
}

/// What the reader does with a row whose field count does not fit.
enum GLUEMalformedRows: Sendable {
    /// Throw an error naming the file and line (every task but QQP).
    case fail
    /// Skip the row silently, as the original does for QQP train/dev (`if len(l) == 6`).
    case skip
}

/// How the label of a row is stored.
enum GLUELabelColumn: Sendable {
    /// A label string that must be one of the task's `labels`; its position is the class index.
    case classLabel(GLUEColumn)
    /// A decimal score (STS-B), parsed like Python's `float()`.
    case score(GLUEColumn)

    var column: GLUEColumn {
        switch self {
        case .classLabel(let column), .score(let column): return column
        }
    }
}

/// The layout of one split's file: its name, header, field count and which columns hold what.
struct GLUEFileLayout: Sendable {
    /// The file name inside the task's data directory, e.g. `dev_matched.tsv`.
    let fileName: String
    /// Whether the first line is a header to skip.
    let hasHeader: Bool
    /// The allowed number of fields per line.
    let fieldCount: GLUEFieldCount
    /// What to do with rows whose field count does not fit.
    var malformedRows: GLUEMalformedRows = .fail
    /// The first segment.
    let textA: GLUEColumn
    /// The second segment, for sentence-pair tasks.
    var textB: GLUEColumn? = nil
    /// The label, for labelled splits.
    var label: GLUELabelColumn? = nil
    /// The MNLI genre column.
    var genre: GLUEColumn? = nil
}

extension GLUEFileLayout {
    /// The `index sentence1 sentence2 label` layout (test files: no label) of RTE, WNLI and QNLI;
    /// `textA`/`textB` pick the columns (QNLI reads the sentence, column 2, first).
    static func indexedPair(_ split: GLUESplit, textA: Int = 1, textB: Int = 2) -> GLUEFileLayout? {
        switch split {
        case .train, .dev:
            return GLUEFileLayout(fileName: "\(split.name).tsv", hasHeader: true, fieldCount: .exactly(4),
                                  textA: .index(textA), textB: .index(textB), label: .classLabel(.index(3)))
        case .test:
            return GLUEFileLayout(fileName: "test.tsv", hasHeader: true, fieldCount: .exactly(3),
                                  textA: .index(textA), textB: .index(textB))
        default:
            return nil
        }
    }
}

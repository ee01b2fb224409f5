/// QQP (Quora Question Pairs): question pairs labelled `1` (duplicate) or `0`.
///
/// `train.tsv`/`dev.tsv`: header `id qid1 qid2 question1 question2 is_duplicate`; A = column 3,
/// B = column 4, label = column 5. Rows without exactly six fields (some train lines are broken) are
/// **skipped**, as the original does (`if len(l) == 6`). `test.tsv`: header `id question1 question2`;
/// the original takes the last two fields (`l[-2]`, `l[-1]`), so rows need at least three and none is
/// skipped (prediction rows must stay aligned). Metrics: accuracy and F1; selection on their mean.
struct QQPTask: GLUETaskDefinition {
    let name = "qqp"
    let displayName = "QQP"
    let labels = ["0", "1"]
    let isRegression = false
    let splits: [GLUESplit] = [.train, .dev, .test]
    let devSplits: [GLUESplit] = [.dev]
    let metricNames = ["accuracy", "f1"]
    let selectionMetrics = ["accuracy", "f1"]

    func layout(for split: GLUESplit) -> GLUEFileLayout? {
        switch split {
        case .train, .dev:
            return GLUEFileLayout(fileName: "\(split.name).tsv", hasHeader: true, fieldCount: .exactly(6),
                                  malformedRows: .skip,
                                  textA: .index(3), textB: .index(4), label: .classLabel(.index(5)))
        case .test:
            return GLUEFileLayout(fileName: "test.tsv", hasHeader: true, fieldCount: .atLeast(3),
                                  textA: .fromEnd(2), textB: .fromEnd(1))
        default:
            return nil
        }
    }

    func submissionFileName(for split: GLUESplit) -> String? { split == .test ? "QQP.tsv" : nil }
}

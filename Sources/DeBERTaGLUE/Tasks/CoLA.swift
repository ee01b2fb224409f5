/// CoLA (Corpus of Linguistic Acceptability): single sentences labelled `1` (acceptable) or `0`.
///
/// `train.tsv` and `dev.tsv` have **no header** and four columns — source id, label, the original
/// author's mark (`*` or empty), sentence — so A = column 3 and the label = column 1. `test.tsv` has the
/// header `index sentence` and A = column 1. Metrics: accuracy and Matthews correlation; the original
/// selects on MCC only.
struct CoLATask: GLUETaskDefinition {
    let name = "cola"
    let displayName = "CoLA"
    let labels = ["0", "1"]
    let isRegression = false
    let splits: [GLUESplit] = [.train, .dev, .test]
    let devSplits: [GLUESplit] = [.dev]
    let metricNames = ["accuracy", "mcc"]
    let selectionMetrics = ["mcc"]

    func layout(for split: GLUESplit) -> GLUEFileLayout? {
        switch split {
        case .train, .dev:
            return GLUEFileLayout(fileName: "\(split.name).tsv", hasHeader: false, fieldCount: .exactly(4),
                                  textA: .index(3), label: .classLabel(.index(1)))
        case .test:
            return GLUEFileLayout(fileName: "test.tsv", hasHeader: true, fieldCount: .exactly(2), textA: .index(1))
        default:
            return nil
        }
    }

    func submissionFileName(for split: GLUESplit) -> String? { split == .test ? "CoLA.tsv" : nil }
}

/// SST-2 (Stanford Sentiment Treebank, binary): single sentences labelled `1` (positive) or `0`.
///
/// `train.tsv`/`dev.tsv`: header `sentence label`, A = column 0, label = column 1 (every sentence keeps
/// its trailing space). `test.tsv`: header `index sentence`, A = column 1. Metric: accuracy.
struct SST2Task: GLUETaskDefinition {
    let name = "sst-2"
    let displayName = "SST-2"
    let labels = ["0", "1"]
    let isRegression = false
    let splits: [GLUESplit] = [.train, .dev, .test]
    let devSplits: [GLUESplit] = [.dev]
    let metricNames = ["accuracy"]
    let selectionMetrics = ["accuracy"]

    func layout(for split: GLUESplit) -> GLUEFileLayout? {
        switch split {
        case .train, .dev:
            return GLUEFileLayout(fileName: "\(split.name).tsv", hasHeader: true, fieldCount: .exactly(2),
                                  textA: .index(0), label: .classLabel(.index(1)))
        case .test:
            return GLUEFileLayout(fileName: "test.tsv", hasHeader: true, fieldCount: .exactly(2), textA: .index(1))
        default:
            return nil
        }
    }

    func submissionFileName(for split: GLUESplit) -> String? { split == .test ? "SST-2.tsv" : nil }
}

/// STS-B (Semantic Textual Similarity Benchmark): sentence pairs scored from 0 to 5 (regression).
///
/// Header `index genre filename year old_index source1 source2 sentence1 sentence2 score`: A = column 7,
/// B = column 8, label = `float(column 9)`; `test.tsv` has the first nine columns only. One output
/// (`numLabels` = 1). Metrics: Pearson and Spearman correlation; the original selects on their mean.
struct STSBTask: GLUETaskDefinition {
    let name = "sts-b"
    let displayName = "STS-B"
    let labels: [String] = []
    let isRegression = true
    let splits: [GLUESplit] = [.train, .dev, .test]
    let devSplits: [GLUESplit] = [.dev]
    let metricNames = ["pearsonr", "spearmanr"]
    let selectionMetrics = ["pearsonr", "spearmanr"]

    func layout(for split: GLUESplit) -> GLUEFileLayout? {
        switch split {
        case .train, .dev:
            return GLUEFileLayout(fileName: "\(split.name).tsv", hasHeader: true, fieldCount: .exactly(10),
                                  textA: .index(7), textB: .index(8), label: .score(.index(9)))
        case .test:
            return GLUEFileLayout(fileName: "test.tsv", hasHeader: true, fieldCount: .exactly(9),
                                  textA: .index(7), textB: .index(8))
        default:
            return nil
        }
    }

    func submissionFileName(for split: GLUESplit) -> String? { split == .test ? "STS-B.tsv" : nil }
}

/// WNLI (Winograd NLI): sentence pairs labelled `1` (entailed) or `0`.
///
/// Header `index sentence1 sentence2 label` (test: no label); A = column 1, B = column 2,
/// label = column 3. The original repository has no WNLI task; this follows the GLUE layout with
/// labels `0, 1` and accuracy (usually the majority class is submitted).
struct WNLITask: GLUETaskDefinition {
    let name = "wnli"
    let displayName = "WNLI"
    let labels = ["0", "1"]
    let isRegression = false
    let splits: [GLUESplit] = [.train, .dev, .test]
    let devSplits: [GLUESplit] = [.dev]
    let metricNames = ["accuracy"]
    let selectionMetrics = ["accuracy"]

    func layout(for split: GLUESplit) -> GLUEFileLayout? { .indexedPair(split) }

    func submissionFileName(for split: GLUESplit) -> String? { split == .test ? "WNLI.tsv" : nil }
}

/// QNLI (Question-answering NLI): does the sentence contain the answer to the question?
///
/// Header `index question sentence label` (test: no label). Following the original code, **A = sentence
/// (column 2) and B = question (column 1)** — HF's processor uses the opposite order. Labels in the
/// original order `not_entailment, entailment`. Metric: accuracy.
struct QNLITask: GLUETaskDefinition {
    let name = "qnli"
    let displayName = "QNLI"
    let labels = ["not_entailment", "entailment"]
    let isRegression = false
    let splits: [GLUESplit] = [.train, .dev, .test]
    let devSplits: [GLUESplit] = [.dev]
    let metricNames = ["accuracy"]
    let selectionMetrics = ["accuracy"]

    func layout(for split: GLUESplit) -> GLUEFileLayout? { .indexedPair(split, textA: 2, textB: 1) }

    func submissionFileName(for split: GLUESplit) -> String? { split == .test ? "QNLI.tsv" : nil }
}

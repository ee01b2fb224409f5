/// RTE (Recognizing Textual Entailment): sentence pairs, entailment or not.
///
/// Header `index sentence1 sentence2 label` (test: no label); A = column 1, B = column 2,
/// label = column 3, in the original order `not_entailment, entailment`. Metric: accuracy.
struct RTETask: GLUETaskDefinition {
    let name = "rte"
    let displayName = "RTE"
    let labels = ["not_entailment", "entailment"]
    let isRegression = false
    let splits: [GLUESplit] = [.train, .dev, .test]
    let devSplits: [GLUESplit] = [.dev]
    let metricNames = ["accuracy"]
    let selectionMetrics = ["accuracy"]

    func layout(for split: GLUESplit) -> GLUEFileLayout? { .indexedPair(split) }

    func submissionFileName(for split: GLUESplit) -> String? { split == .test ? "RTE.tsv" : nil }
}

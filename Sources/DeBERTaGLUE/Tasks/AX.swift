/// AX, the GLUE diagnostic set: premise/hypothesis pairs predicted with an MNLI model.
///
/// `AX.tsv` (split `test`): header `index sentence1 sentence2`, A = column 1, B = column 2, no labels.
/// `diagnostic-full.tsv` (split `diagnostic`): header `Lexical Semantics, Predicate-Argument Structure,
/// Logic, Knowledge, Domain, Premise, Hypothesis, Label` (8 fields); A = column 5, B = column 6,
/// label = column 7 in the MNLI label order. Metrics: accuracy and 3-class Matthews correlation
/// (the server's R3); the original selects on MCC.
struct AXTask: GLUETaskDefinition {
    let name = "ax"
    let displayName = "AX"
    let labels = ["contradiction", "neutral", "entailment"]
    let isRegression = false
    let splits: [GLUESplit] = [.diagnostic, .test]
    let devSplits: [GLUESplit] = [.diagnostic]
    let metricNames = ["accuracy", "mcc"]
    let selectionMetrics = ["mcc"]

    func layout(for split: GLUESplit) -> GLUEFileLayout? {
        switch split {
        case .diagnostic:
            return GLUEFileLayout(fileName: "diagnostic-full.tsv", hasHeader: true, fieldCount: .exactly(8),
                                  textA: .index(5), textB: .index(6), label: .classLabel(.index(7)))
        case .test:
            return GLUEFileLayout(fileName: "AX.tsv", hasHeader: true, fieldCount: .exactly(3),
                                  textA: .index(1), textB: .index(2))
        default:
            return nil
        }
    }

    func submissionFileName(for split: GLUESplit) -> String? { split == .test ? "AX.tsv" : nil }
}

/// MRPC (Microsoft Research Paraphrase Corpus): sentence pairs labelled `1` (paraphrase) or `0`.
///
/// All files have five columns and a header (`Quality #1 ID #2 ID #1 String #2 String`; test starts with
/// `index`; train/dev start with a UTF-8 BOM). Label = column 0, A = column 3, B = column 4.
/// Metrics: accuracy and F1 of class 1; the original selects on their mean.
struct MRPCTask: GLUETaskDefinition {
    let name = "mrpc"
    let displayName = "MRPC"
    let labels = ["0", "1"]
    let isRegression = false
    let splits: [GLUESplit] = [.train, .dev, .test]
    let devSplits: [GLUESplit] = [.dev]
    let metricNames = ["accuracy", "f1"]
    let selectionMetrics = ["accuracy", "f1"]

    func layout(for split: GLUESplit) -> GLUEFileLayout? {
        switch split {
        case .train, .dev:
            return GLUEFileLayout(fileName: "\(split.name).tsv", hasHeader: true, fieldCount: .exactly(5),
                                  textA: .index(3), textB: .index(4), label: .classLabel(.index(0)))
        case .test:
            return GLUEFileLayout(fileName: "test.tsv", hasHeader: true, fieldCount: .exactly(5),
                                  textA: .index(3), textB: .index(4))
        default:
            return nil
        }
    }

    func submissionFileName(for split: GLUESplit) -> String? { split == .test ? "MRPC.tsv" : nil }
}

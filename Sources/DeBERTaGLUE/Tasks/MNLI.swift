/// MNLI (Multi-Genre Natural Language Inference): premise/hypothesis pairs, three classes.
///
/// Files: `train.tsv`, `dev_matched.tsv`, `dev_mismatched.tsv`, `test_matched.tsv`,
/// `test_mismatched.tsv`, all with a header (`index promptID pairID genre … sentence1 sentence2 …`).
/// A = column 8, B = column 9, genre = column 3, label = the **last** column (`gold_label`; train has 12
/// fields, dev 16, test 10 and no label), so every row must have as many fields as its header. Labels in
/// the original order `contradiction, neutral, entailment` (HF's processor differs). Metric: accuracy
/// (the original also logs per-genre accuracies); matched and mismatched are evaluated separately.
struct MNLITask: GLUETaskDefinition {
    let name = "mnli"
    let displayName = "MNLI"
    let labels = ["contradiction", "neutral", "entailment"]
    let isRegression = false
    let splits: [GLUESplit] = [.train, .devMatched, .devMismatched, .testMatched, .testMismatched]
    let devSplits: [GLUESplit] = [.devMatched, .devMismatched]
    let metricNames = ["accuracy"]
    let selectionMetrics = ["accuracy"]

    func layout(for split: GLUESplit) -> GLUEFileLayout? {
        switch split {
        case .train, .devMatched, .devMismatched:
            return GLUEFileLayout(fileName: "\(split.name).tsv", hasHeader: true,
                                  fieldCount: .sameAsHeader(minimum: 11),
                                  textA: .index(8), textB: .index(9), label: .classLabel(.fromEnd(1)),
                                  genre: .index(3))
        case .testMatched, .testMismatched:
            return GLUEFileLayout(fileName: "\(split.name).tsv", hasHeader: true,
                                  fieldCount: .sameAsHeader(minimum: 10),
                                  textA: .index(8), textB: .index(9), genre: .index(3))
        default:
            return nil
        }
    }

    func submissionFileName(for split: GLUESplit) -> String? {
        switch split {
        case .testMatched: return "MNLI-m.tsv"
        case .testMismatched: return "MNLI-mm.tsv"
        default: return nil
        }
    }
}

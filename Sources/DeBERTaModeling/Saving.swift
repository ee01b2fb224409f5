import DeBERTaFiles
import DeBERTaCheckpoint
import Foundation
import DeBERTaTensors

extension DeBERTaModel {
    /// The configuration as a Hugging Face `config.json` for this model: `architectures` from the
    /// head, `num_labels`, and `model_type` (`deberta` for v1's fused layout, `deberta-v2` otherwise —
    /// a v1 model read from the original split layout runs unchanged as `deberta-v2` with
    /// `share_att_key: false`, MODEL.md / CHECKPOINTS.md §3.2).
    public func huggingFaceConfiguration(labels: [String]? = nil) -> DeBERTaConfiguration {
        var c = configuration
        c.modelType = fusedAttention ? "deberta" : "deberta-v2"
        c.architectures = [head.architecture(v1: fusedAttention)]
        switch head {
        case let .sequenceClassification(n), let .tokenClassification(n):
            c.numLabels = n
            let names = labels ?? (c.id2label.flatMap { m in (0..<n).map { m[String($0)] ?? "LABEL_\($0)" } }) ?? (0..<n).map { "LABEL_\($0)" }
            c.id2label = Dictionary(uniqueKeysWithValues: names.enumerated().map { (String($0.offset), $0.element) })
            c.label2id = Dictionary(names.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
            if n == 1 { c.problemType = "regression" }
        case .maskedLM:
            c.legacy = false
            c.tieWordEmbeddings = false
        default:
            break
        }
        return c
    }

    /// Writes a Hugging Face model folder (`config.json` + `model.safetensors`) that transformers'
    /// auto classes load, and copies `tokenizerFiles` beside them. Files are written atomically.
    /// `dtype` `.f16` / `.bf16` halves the file (weights rounded to nearest even).
    public func saveHuggingFaceFolder(to directory: URL, labels: [String]? = nil, tokenizerFiles: [URL] = [], dtype: DType = .f32) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        try SafeTensors.write(stateDict(dtype: dtype), metadata: ["format": "pt"], to: directory.appendingPathComponent("model.safetensors"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeFileAtomically(try encoder.encode(huggingFaceConfiguration(labels: labels)), to: directory.appendingPathComponent("config.json"))
        for file in tokenizerFiles {
            try writeFileAtomically(try Data(contentsOf: file), to: directory.appendingPathComponent(file.lastPathComponent))
        }
    }
}

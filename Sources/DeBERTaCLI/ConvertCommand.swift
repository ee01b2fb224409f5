import ArgumentParser
import DeBERTaCheckpoint
import DeBERTaModeling
import Foundation
import DeBERTaPretraining

/// `deberta convert`: rewrites a model folder (Hugging Face or the original release layout) as a
/// Hugging Face folder, optionally with 16-bit weights.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Rewrite a model folder as a Hugging Face folder (config.json + model.safetensors + tokenizer files), in float32, float16 or bfloat16.",
        discussion: """
        Example:
          deberta convert --model runs/pretrain-rtd/discriminator --output Examples/pretrained --dtype bfloat16
        Original-format folders (pytorch.model.bin + model_config.json) become folders that transformers loads.
        """)

    @Option(help: "Model folder to read, hub id (org/name[@revision]) or short name.") var model: String
    @Option(help: "Folder to write.") var output: String
    @Option(help: "float32, float16 or bfloat16.") var dtype = "float32"

    func run() throws {
        do { try execute() } catch { throw fail(error) }
    }

    func execute() throws {
        let stored: DType
        switch dtype.lowercased() {
        case "float32", "fp32", "f32": stored = .f32
        case "float16", "fp16", "f16", "half": stored = .f16
        case "bfloat16", "bf16": stored = .bf16
        default: throw ValidationError("--dtype \(dtype): expected float32, float16 or bfloat16")
        }
        let source = try resolveModel(model)
        let (net, _) = try DeBERTaModel.load(from: source)
        let files = (try? TokenizerLoading.load(source).files) ?? []
        try net.saveHuggingFaceFolder(to: URL(fileURLWithPath: output), tokenizerFiles: files, dtype: stored)
        print("wrote \(output) (\(net.parameterCount) parameters, \(stored.rawValue))")
    }
}

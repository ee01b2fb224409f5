import ArgumentParser
import DeBERTa
import DeBERTaPretraining
import Foundation

/// `deberta fill-mask`: the most likely tokens for each `[MASK]`, through the Enhanced Mask Decoder.
struct FillMaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill-mask",
        abstract: "Predict the tokens behind [MASK] with a masked-LM model (MLM model or RTD generator), through the Enhanced Mask Decoder.",
        discussion: """
        Example:
          deberta fill-mask --model out/rtd/generator --text "Paris is the [MASK] of France." --top-k 5
        The model folder needs the lm_predictions.lm_head.* head (an MLM model or an RTD generator);
        the tokenizer is read from the folder unless --vocab_path is given.
        """)

    @Option(help: "Model folder (Hugging Face or original layout), hub id or short name, with a masked-LM head.") var model: String
    @Option(help: "Text with one or more [MASK] tokens.") var text: String
    @Option(name: .customLong("top-k"), help: "Candidates per mask.") var topK = 5
    @Option(name: .customLong("vocab_path"), help: "Tokenizer folder or file (default: the model folder).") var vocabPath: String?

    func run() throws {
        do { try execute() } catch { throw fail(error) }
    }

    func execute() throws {
        let folder = try resolveModel(model, files: vocabPath == nil ? [.model, .tokenizer] : .model)
        let (net, _) = try DeBERTaModel.load(from: folder)
        let (tokenizer, _) = try TokenizerLoading.load(vocabPath.map { URL(fileURLWithPath: $0) } ?? folder)
        let filler = try FillMask(model: net, tokenizer: tokenizer, folder: model)
        if !filler.usesDecoder {
            FileHandle.standardError.write(Data("note: \(model) has no absolute position table, so predictions skip the Enhanced Mask Decoder\n".utf8))
        }
        let results = try filler.predict(text, topK: topK)
        for (k, candidates) in results.enumerated() {
            if results.count > 1 { print("[MASK] #\(k + 1)") }
            for c in candidates {
                print(String(format: "%7.4f  %@  %@", c.probability, c.text.padding(toLength: max(12, c.text.count), withPad: " ", startingAt: 0), c.sequence))
            }
        }
    }
}

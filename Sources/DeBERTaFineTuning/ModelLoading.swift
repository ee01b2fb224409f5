import DeBERTaCheckpoint
import DeBERTaModeling
import Foundation
import DeBERTaTokenizers

/// The tokenizer and the model of a run, from `--vocab_path`, `--pre_trained` and `--model_config`;
/// the model gets the task's head.
extension FineTuningRun {
    func loadTokenizer() throws -> (Tokenizer, [URL]) {
        let candidates = [options.vocabPath, options.preTrained].compactMap { $0 }
        for url in candidates {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw ModelError.file(url.path, "no such file or folder")
            }
            if isDirectory.boolValue {
                guard let tokenizer = try? Tokenizer.load(directory: url) else { continue }
                let names = ["spm.model", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
                             "vocab.json", "merges.txt", "bpe_encoder.bin", "tokenizer.json"]
                return (tokenizer, names.map { url.appendingPathComponent($0) }.filter { FileManager.default.fileExists(atPath: $0.path) })
            }
            if url == options.preTrained { continue }
            let type = options.vocabType?.lowercased() ?? (url.pathExtension == "model" ? "spm" : url.pathExtension == "json" ? "json" : "gpt2")
            switch type {
            case "spm": return (try Tokenizer(sentencePieceModel: url), [url])
            case "json": return (try Tokenizer(tokenizerJSON: url), [url])
            default: return (try Tokenizer(bpeEncoderFile: url), [url])
            }
        }
        throw ModelError.input("no tokenizer: give --vocab_path (a folder, spm.model, bpe_encoder.bin or tokenizer.json) or a --pre_trained folder that contains one")
    }

    /// The configuration of a checkpoint (`url`), with `--model_config`'s fields merged into it as
    /// the original does (``DeBERTaConfiguration/merged(checkpoint:overrides:)``).
    func checkpointConfiguration(_ url: URL) throws -> DeBERTaConfiguration {
        guard let overrides = options.modelConfig else { return try DeBERTaConfiguration.load(from: url) }
        guard FileManager.default.fileExists(atPath: overrides) else {
            throw ModelError.input("--model_config \(overrides): no such file (with pre-trained weights it is a JSON file whose fields are merged into the checkpoint's configuration; the shape names \(ModelPresets.names.joined(separator: ", ")) are for random weights)")
        }
        let merge = try DeBERTaConfiguration.merged(checkpoint: url, overrides: URL(fileURLWithPath: overrides))
        logger.info("--model_config \(overrides) merged into \(url.lastPathComponent): \(merge.changed.isEmpty ? "no field changed" : "changed " + merge.changed.joined(separator: ", "))")
        if !merge.keptFromCheckpoint.isEmpty {
            logger.warning("--model_config gives other \(merge.keptFromCheckpoint.joined(separator: ", ")) than the checkpoint; the checkpoint's are kept (the weights have that shape), as the original does")
        }
        return merge.configuration
    }

    func loadModel(tokenizer: Tokenizer) throws -> DeBERTaModel {
        let head = task.head
        let seed = options.training.seed
        var configuration: DeBERTaConfiguration
        var tensors: [String: StoredTensor]? = nil
        var file = "random initialisation"
        if let pre = options.preTrained {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: pre.path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                let (c, w) = try DeBERTaModel.locateFiles(in: pre)
                configuration = try checkpointConfiguration(c)
                tensors = try CheckpointFile.loadTensors(from: w)
                file = w.path
            } else {
                // A checkpoint file: the original reads the `model_config.json` beside it.
                let beside = ["model_config.json", "config.json"].map { pre.deletingLastPathComponent().appendingPathComponent($0) }
                    .first { FileManager.default.fileExists(atPath: $0.path) }
                if let beside {
                    configuration = try checkpointConfiguration(beside)
                } else {
                    guard let config = options.modelConfig else {
                        throw ModelError.input("--pre_trained \(pre.path) is a file with no model_config.json beside it: give --model_config too")
                    }
                    configuration = try ModelPresets.configuration(config)
                }
                tensors = try CheckpointFile.loadTensors(from: pre)
                file = pre.path
            }
        } else if let config = options.modelConfig {
            configuration = try ModelPresets.configuration(config)
            logger.warning("no --pre_trained weights: starting from random weights of \(config)")
        } else {
            throw ModelError.input("give --pre_trained (a model folder or checkpoint) or --model_config (random weights)")
        }
        if let d = options.classifierDropout {
            configuration.clsDropout = d
            if case .tokenClassification = head {
                // transformers' DebertaV2ForTokenClassification drops out with hidden_dropout_prob.
                logger.warning("--cls_drop_out does not apply to a token-classification head (it uses hidden_dropout_prob)")
            }
        }
        switch head {
        case let .sequenceClassification(n), let .tokenClassification(n): configuration.numLabels = n
        default: break
        }
        if tokenizer.vocabularySize > configuration.vocabSize {
            throw ModelError.input("the tokenizer has \(tokenizer.vocabularySize) ids but the model only \(configuration.vocabSize) rows of word embeddings")
        }
        if let tensors {
            let (model, report) = try DeBERTaModel.load(configuration: configuration, tensors: tensors, file: file, head: head, newHeadSeed: seed)
            if !report.initialized.isEmpty { logger.info("initialised afresh: \(report.initialized.joined(separator: ", "))") }
            if !report.unexpected.isEmpty { logger.info("not used from the checkpoint: \(report.unexpected.count) tensors (\(report.unexpected.prefix(4).joined(separator: ", "))…)") }
            return model
        }
        return try DeBERTaModel(configuration: configuration, head: head, seed: seed)
    }
}

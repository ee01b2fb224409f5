import DeBERTaFiles
import DeBERTaCheckpoint
import DeBERTaModeling
import Foundation
import Logging
import DeBERTaTensors
import DeBERTaTokenizers
import DeBERTaTraining

/// A complete pretraining run (`deberta pretrain`): data, models, the training loop with periodic
/// checkpoints, evaluations and exports, and the final models as Hugging Face folders —
/// `OUTPUT/model` (MLM) or `OUTPUT/generator` + `OUTPUT/discriminator` (RTD).
///
/// Outputs in the output folder: `training_log.jsonl` (one line per step), `eval_results.jsonl` (one
/// line per evaluation), `checkpoints/` (for `resume`) and the model folders.
public final class PretrainingRun {
    public let options: PretrainingOptions
    let logger: Logger
    /// Every evaluation so far (kept across a resume).
    public private(set) var records: [EvaluationRecord] = []
    /// The trainer of the last ``run()`` (for inspection after a run).
    public private(set) var trainer: PretrainingTrainer?

    public init(_ options: PretrainingOptions, logger: Logger = Logger(label: "deberta.pretrain")) {
        self.options = options
        self.logger = logger
    }

    /// The folders the models are exported to.
    public var modelFolders: [URL] {
        options.task == .mlm ? [options.outputDirectory.appendingPathComponent("model")]
            : ["generator", "discriminator"].map { options.outputDirectory.appendingPathComponent($0) }
    }

    /// Builds everything and trains to the last step; returns every evaluation.
    @discardableResult
    public func run() throws -> [EvaluationRecord] {
        let o = options
        let fm = FileManager.default
        try fm.createDirectory(at: o.outputDirectory, withIntermediateDirectories: true)
        let (tokenizer, tokenizerFiles) = try TokenizerLoading.load(o.vocabPath, type: o.vocabType)
        let vocabulary = PieceVocabulary(tokenizer: tokenizer)
        let trainer = try makeTrainer(vocabularySize: vocabulary.count)
        self.trainer = trainer

        let trainURL = o.dataDirectory.appendingPathComponent("train.txt")
        guard fm.fileExists(atPath: trainURL.path) else {
            throw PretrainingError.file(trainURL.path, "no training data (run `deberta prepare-data` to make train.txt and valid.txt)")
        }
        let trainCorpus = try PreparedCorpus(url: trainURL)
        let batchSize = o.trainBatchSize
        guard batchSize > 0 else { throw PretrainingError.invalidOption("--train_batch_size must be positive") }
        let totalSteps = trainer.generatorGroup.options.totalSteps
        let masker = try makeMasker()
        let train = try PretrainingDataset(corpus: trainCorpus, vocabulary: vocabulary, masker: masker,
                                           maxSequenceLength: o.maxSequenceLength, size: totalSteps * batchSize, shuffled: true)
        var valid: PretrainingDataset? = nil
        let validURL = o.dataDirectory.appendingPathComponent("valid.txt")
        if fm.fileExists(atPath: validURL.path) {
            valid = try PretrainingDataset(corpus: try PreparedCorpus(url: validURL), vocabulary: vocabulary, masker: masker,
                                           maxSequenceLength: o.maxSequenceLength, shuffled: false)
        } else {
            logger.warning("no valid.txt in \(o.dataDirectory.path): no evaluation")
        }

        let checkpoints = o.outputDirectory.appendingPathComponent("checkpoints")
        var nextSample = 0
        if o.resume, let (latest, restored) = try CheckpointFolder.restoreLatest(in: checkpoints, warn: { logger.warning("\($0)") }, trainer.restore) {
            nextSample = restored
            logger.info("resumed from \(latest.url.lastPathComponent): step \(trainer.step), next sample \(nextSample)")
        } else if o.resume {
            logger.info("no checkpoint in \(checkpoints.path): starting from step 0")
        }
        let results = JSONLinesFile<EvaluationRecord>(o.outputDirectory.appendingPathComponent("eval_results.jsonl"))
        // Evaluations and log lines past the checkpoint will be made again (all of them without one).
        records = try results.keep { $0.step <= trainer.step }
        let log = JSONLinesFile<TrainingLogEntry>(o.outputDirectory.appendingPathComponent("training_log.jsonl"))
        try log.keep { $0.step <= trainer.step }

        let g = trainer.generatorGroup.options
        logger.info("\(o.task.rawValue.uppercased()) pretraining: \(trainCorpus.count) examples in train.txt, \(valid?.corpus.count ?? 0) in valid.txt, max_seq_len \(o.maxSequenceLength), batch \(batchSize), \(totalSteps) steps, lr \(g.learningRate), warmup \(g.warmup), \(g.adam.variant.rawValue)\(g.bf16MatrixProducts ? ", bf16 matrix products" : "")\(g.dynamicLossScaling ? ", loss scaling" : "")")
        if o.task == .rtd {
            logger.info("generator \(trainer.generator.configuration.numHiddenLayers) layers (\(trainer.generator.parameterCount) parameters), discriminator \(trainer.discriminator!.configuration.numHiddenLayers) layers (\(trainer.discriminator!.parameterCount) parameters), GDES, rtd_lambda \(o.rtdLambda), \(o.decoupledTraining ? "decoupled steps, discriminator lr \(trainer.discriminatorGroup!.options.learningRate)" : "joint steps")")
            if o.maxNgram > 1 { logger.warning("--max_ngram \(o.maxNgram) is ignored for rtd: the original RTD task masks unigrams") }
        } else {
            logger.info("model \(trainer.generator.configuration.numHiddenLayers) layers (\(trainer.generator.parameterCount) parameters), max_ngram \(o.maxNgram)")
        }

        let epochs = max(1, Int((Double(totalSteps * batchSize) / Double(trainCorpus.count)).rounded(.up)))
        let progress = ProgressReporter(total: totalSteps, logger: logger)
        // The checkpoint is written last: a run killed before it resumes from the previous one and
        // redoes this step's evaluation and export, so no evaluation is lost or written twice.
        func dump() throws {
            progress.interrupt()
            if let valid {
                let record = try trainer.evaluate(valid, batchSize: max(o.evalBatchSize, 1), step: trainer.step, limit: o.maxEvalExamples)
                try results.append(record)
                records.append(record)
                record.printTable(hiding: ["examples", "masked_tokens", "generator_masked_tokens"])
            }
            try export(trainer, tokenizerFiles: tokenizerFiles)
            try trainer.saveCheckpoint(nextSample: nextSample, in: checkpoints)
            try CheckpointFolder.prune(in: checkpoints, keep: max(o.keepCheckpoints, 1))
        }
        while trainer.step < totalSteps {
            if let signal = StopRequest.signal {  // SIGTERM or SIGINT: checkpoint the next sample and stop
                progress.interrupt()
                let folder = try trainer.saveCheckpoint(nextSample: nextSample, in: checkpoints)
                try CheckpointFolder.prune(in: checkpoints, keep: max(o.keepCheckpoints, 1))
                throw TrainingError.stopped(signal: signal, step: trainer.step, checkpoint: folder.url.path)
            }
            let batch = try train.batch(Array(nextSample..<(nextSample + batchSize)))
            let result = try trainer.train(batch)
            nextSample += batchSize
            let epoch = (nextSample - 1) / trainCorpus.count
            try log.append(Self.logEntry(result, step: trainer.step, epoch: epoch))
            progress.step(trainer.step, epoch: epoch, epochs: epochs, loss: result.loss, learningRate: result.learningRate,
                          examples: batchSize, detail: Self.detail(result))
            if trainer.step % max(o.dumpInterval, 1) == 0 || trainer.step == totalSteps { try dump() }
        }
        if trainer.step == totalSteps && !modelFolders.allSatisfy({ fm.fileExists(atPath: $0.appendingPathComponent("model.safetensors").path) }) {
            try export(trainer, tokenizerFiles: tokenizerFiles)
        }
        logger.info("saved \(modelFolders.map(\.path).joined(separator: " and "))")
        return records
    }

    // MARK: Pieces

    /// The masking of the task: MLM 80/10/10 with `--max_ngram` (prediction cap from the default
    /// 512, as the original MLM task); RTD every selected token → `[MASK]`, unigrams, cap from
    /// `--max_seq_len`.
    func makeMasker() throws -> NGramMaskGenerator {
        switch options.task {
        case .mlm: return try NGramMaskGenerator(maxSequenceLength: 512, maxGram: options.maxNgram, maskProbability: 0.8, keepProbability: 0.1)
        case .rtd: return try NGramMaskGenerator(maxSequenceLength: options.maxSequenceLength, maxGram: 1, maskProbability: 1, keepProbability: 0)
        }
    }

    /// The models (random, or from `--init_generator` / `--init_discriminator`) and their trainer.
    func makeTrainer(vocabularySize: Int) throws -> PretrainingTrainer {
        let o = options
        let (generatorConfig, discriminatorConfig) = try PretrainingModels.configurations(o.modelConfig, task: o.task)
        try PretrainingModels.check(generatorConfig, role: o.task == .mlm ? "model" : "generator", maxSequenceLength: o.maxSequenceLength, vocabularySize: vocabularySize)
        var training = o.training
        if let steps = o.numTrainingSteps {
            guard steps > 0 else { throw PretrainingError.invalidOption("--num_training_steps must be positive") }
            training.totalSteps = steps
        } else {
            let examples = try PreparedCorpus(url: o.dataDirectory.appendingPathComponent("train.txt")).count
            training.totalSteps = max(1, Int((Double(examples) * o.numTrainEpochs / Double(max(o.trainBatchSize, 1))).rounded(.up)))
        }
        let seed = training.seed
        let generator = try DeBERTaModel(configuration: generatorConfig, head: .maskedLM, seed: seed)
        if let url = o.initGenerator { report(try PretrainingModels.loadNonStrict(generator, from: url), role: o.task == .mlm ? "model" : "generator") }
        guard o.task == .rtd, let discriminatorConfig else { return try PretrainingTrainer(mlm: generator, options: training) }

        try PretrainingModels.check(discriminatorConfig, role: "discriminator", maxSequenceLength: o.maxSequenceLength, vocabularySize: vocabularySize)
        let discriminator = try DeBERTaModel(configuration: discriminatorConfig, head: .replacedTokenDetection, seed: seed &+ 0x0D15C)
        let sharing = try GradientDisentangledSharing(generator: generator, discriminator: discriminator)
        if let url = o.initDiscriminator {
            let r = try PretrainingModels.loadNonStrict(discriminator, from: url)
            report(r, role: "discriminator")
            if let word = r.residuals["word"], word.elementCount == sharing.wordDelta.value.count {
                sharing.wordDelta.assign(word)
                if let position = r.residuals["position"], let delta = sharing.positionDelta, position.elementCount == delta.value.count {
                    delta.assign(position)
                }
            } else if !r.missing.contains("deberta.embeddings.word_embeddings.weight") {
                sharing.residualsFromTables()  // E_Δ = E_D − E_G: the loaded E_D is reproduced exactly
            }
        }
        var discriminatorTraining = training
        if o.discriminatorLearningRate > 0 { discriminatorTraining.learningRate = o.discriminatorLearningRate }
        return try PretrainingTrainer(generator: generator, discriminator: discriminator, sharing: sharing, options: training,
                                      discriminatorOptions: discriminatorTraining, rtdLambda: o.rtdLambda, decoupled: o.decoupledTraining)
    }

    func report(_ r: PretrainingModels.InitReport, role: String) {
        logger.info("\(role): loaded \(r.loaded) tensors from \(r.file)")
        if !r.missing.isEmpty { logger.warning("\(role): missing keys (kept initial values): \(r.missing.prefix(8).joined(separator: ", "))\(r.missing.count > 8 ? ", … (\(r.missing.count))" : "")") }
        if !r.unexpected.isEmpty { logger.warning("\(role): unexpected keys: \(r.unexpected.prefix(8).joined(separator: ", "))\(r.unexpected.count > 8 ? ", … (\(r.unexpected.count))" : "")") }
    }

    /// Writes the model folders (the discriminator with `E_D = E_G + E_Δ` materialised).
    func export(_ trainer: PretrainingTrainer, tokenizerFiles: [URL]) throws {
        let folders = modelFolders
        try trainer.generator.saveHuggingFaceFolder(to: folders[0], tokenizerFiles: tokenizerFiles)
        if let discriminator = trainer.discriminator {
            trainer.sharing?.materialize()
            try discriminator.saveHuggingFaceFolder(to: folders[1], tokenizerFiles: tokenizerFiles)
        }
    }

    /// The step's `training_log.jsonl` line: the standard fields and the two models' details.
    static func logEntry(_ r: PretrainingStepResult, step: Int, epoch: Int) -> TrainingLogEntry {
        var f: [String: Double] = ["masked_tokens": Double(r.maskedTokens)]
        if let d = r.discriminatorLoss {
            f["generator_loss"] = Double(r.generatorLoss)
            f["discriminator_loss"] = Double(d)
        }
        if let lr = r.discriminatorLearningRate { f["discriminator_learning_rate"] = lr }
        if let n = r.discriminatorGradientNorm { f["discriminator_grad_norm"] = n }
        if let n = r.replacedTokens { f["replaced_tokens"] = Double(n) }
        return TrainingLogEntry(step: step, epoch: epoch, result: StepResult(loss: r.loss, learningRate: r.learningRate,
                                                                            gradientNorm: r.gradientNorm, skipped: r.skipped), extra: f)
    }

    static func detail(_ r: PretrainingStepResult) -> String {
        guard let d = r.discriminatorLoss else { return "" }
        return String(format: "G %.4f  D %.4f", r.generatorLoss, d)
    }
}

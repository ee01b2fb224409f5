import DeBERTaGLUE
import DeBERTaModeling
import DeBERTaTensors
import DeBERTaTraining
import Foundation
import Logging

/// A complete GLUE run: features, model, training with periodic checkpoints and evaluations,
/// test predictions, and the fine-tuned model as a Hugging Face folder (`OUTPUT/model`).
public final class GLUEFineTuning {
    public let options: FineTuningOptions
    public let task: GLUETask
    let logger: Logger
    /// Every evaluation so far (kept across a resume).
    public private(set) var records: [EvaluationRecord] = []
    /// `eval_results.jsonl`: one line per evaluation of a split.
    let results: JSONLinesFile<EvaluationRecord>

    public init(_ options: FineTuningOptions, logger: Logger = Logger(label: "deberta.train")) throws {
        self.options = options
        self.task = try GLUETask(name: options.taskName)
        self.logger = logger
        results = JSONLinesFile(options.outputDirectory.appendingPathComponent("eval_results.jsonl"))
    }

    /// Runs what the options ask for; returns every evaluation made.
    @discardableResult
    public func run() throws -> [EvaluationRecord] {
        let fm = FileManager.default
        try fm.createDirectory(at: options.outputDirectory, withIntermediateDirectories: true)
        let (tokenizer, tokenizerFiles) = try loadTokenizer()
        let model = try loadModel(tokenizer: tokenizer)
        let padId = Int32(tokenizer.specialTokenIds.pad)
        logger.info("\(task.directoryName): \(model.head.architecture(v1: model.fusedAttention)), \(model.parameterCount) parameters, tokenizer \(tokenizer.kind.rawValue) (\(tokenizer.vocabularySize) ids)")

        var devSets: [(GLUESplit, [GLUEExample], [GLUEFeature])] = []
        if options.doEval || options.doTrain {
            // A resumed run continues the file; `fit` drops the evaluations past its checkpoint.
            records = try results.keep { _ in options.resume }
            for split in task.devSplits {
                guard fileExists(split) else {
                    logger.warning("no \(task.fileName(for: split) ?? split.name) in \(options.dataDirectory.path): \(split.name) not evaluated")
                    continue
                }
                var examples = try task.examples(split: split, dataDirectory: options.dataDirectory)
                if let n = options.maxEvalExamples { examples = Array(examples.prefix(n)) }
                devSets.append((split, examples, try GLUEFeatures.make(examples, tokenizer: tokenizer, maxSequenceLength: options.maxSequenceLength)))
            }
        }
        func evaluateAll(step: Int, epoch: Double) throws {
            for (split, examples, features) in devSets {
                let predictions = try predict(model, features, padId: padId, batchSize: options.evalBatchSize)
                var metrics = try GLUEMetrics.evaluate(task: task, predictions: predictions, examples: examples)
                metrics["examples"] = Double(examples.count)
                let record = EvaluationRecord(step: step, epoch: epoch, split: split.name, metrics: metrics)
                try results.append(record)
                records.append(record)
                record.printTable()
            }
        }

        if options.doTrain {
            var train = try task.examples(split: .train, dataDirectory: options.dataDirectory)
            if let n = options.maxTrainExamples { train = Array(train.prefix(n)) }
            let features = try GLUEFeatures.make(train, tokenizer: tokenizer, maxSequenceLength: options.maxSequenceLength)
            try fit(model, features, padId: padId, evaluate: evaluateAll)
        } else if options.doEval {
            try evaluateAll(step: 0, epoch: 0)
        }
        if options.doPredict {
            for split in task.testSplits where fileExists(split) {
                let examples = try task.examples(split: split, dataDirectory: options.dataDirectory)
                let features = try GLUEFeatures.make(examples, tokenizer: tokenizer, maxSequenceLength: options.maxSequenceLength)
                let predictions = try predict(model, features, padId: padId, batchSize: options.predictBatchSize)
                let url = try GLUEPredictionWriter.writeSubmission(task: task, split: split, predictions: predictions,
                                                                  examples: examples, directory: options.outputDirectory)
                logger.info("wrote \(url.path) (\(examples.count) predictions)")
            }
        }
        if options.doTrain {
            let folder = options.outputDirectory.appendingPathComponent("model")
            try model.saveHuggingFaceFolder(to: folder, labels: task.isRegression ? nil : task.labels, tokenizerFiles: tokenizerFiles)
            logger.info("saved the fine-tuned model to \(folder.path)")
        }
        return records
    }

    func fileExists(_ split: GLUESplit) -> Bool {
        guard let name = task.fileName(for: split) else { return false }
        return FileManager.default.fileExists(atPath: options.dataDirectory.appendingPathComponent(name).path)
    }

    // MARK: Training loop

    func fit(_ model: DeBERTaModel, _ features: [GLUEFeature], padId: Int32, evaluate: (Int, Double) throws -> Void) throws {
        guard !features.isEmpty else { throw ModelError.input("no training examples in \(options.dataDirectory.path)") }
        let batchSize = options.trainBatchSize
        let stepsPerEpoch = (features.count + batchSize - 1) / batchSize
        var trainingOptions = options.training
        trainingOptions.totalSteps = max(1, Int(Double(features.count) * options.epochs / Double(batchSize)))
        let total = trainingOptions.totalSteps
        let trainer = Trainer(model: model, options: trainingOptions)
        let checkpoints = options.outputDirectory.appendingPathComponent("checkpoints")
        var position = DataPosition()
        if options.resume, let (latest, restored) = try CheckpointFolder.restoreLatest(in: checkpoints, warn: { logger.warning("\($0)") }, trainer.restore) {
            position = restored.position
            logger.info("resumed from \(latest.url.lastPathComponent): step \(trainer.step), epoch \(position.epoch + 1), batch \(position.batch)")
        }
        records = try results.keep { $0.step <= trainer.step }
        let log = JSONLinesFile<TrainingLogEntry>(options.outputDirectory.appendingPathComponent("training_log.jsonl"))
        try log.keep { options.resume && $0.step <= trainer.step }
        let epochs = Int(options.epochs.rounded(.up))
        logger.info("training: \(features.count) examples, batch \(batchSize), \(total) steps (\(stepsPerEpoch) per epoch), lr \(trainingOptions.learningRate), warmup \(trainingOptions.warmup), \(trainingOptions.adam.variant.rawValue)\(trainingOptions.bf16MatrixProducts ? ", bf16 matrix products" : "")\(trainingOptions.dynamicLossScaling ? ", loss scaling" : "")")
        let progress = ProgressReporter(total: total, logger: logger)
        while trainer.step < total {
            let order = Self.epochOrder(count: features.count, epoch: position.epoch, seed: trainingOptions.seed)
            while position.batch < stepsPerEpoch && trainer.step < total {
                if let signal = StopRequest.signal {  // SIGTERM or SIGINT: checkpoint the next batch and stop
                    progress.interrupt()
                    let folder = try trainer.saveCheckpoint(position: position, in: checkpoints)
                    try CheckpointFolder.prune(in: checkpoints, keep: 2)
                    throw TrainingError.stopped(signal: signal, step: trainer.step, checkpoint: folder.url.path)
                }
                let rows = Array(order[(position.batch * batchSize)..<min(features.count, (position.batch + 1) * batchSize)])
                let result = try trainer.train(makeBatch(rows.map { features[$0] }, padId: padId, labelled: true))
                position.batch += 1
                try log.append(TrainingLogEntry(step: trainer.step, epoch: position.epoch, result: result))
                progress.step(trainer.step, epoch: position.epoch, epochs: epochs, loss: result.loss,
                              learningRate: result.learningRate, examples: rows.count)
                let endOfEpoch = position.batch == stepsPerEpoch || trainer.step == total
                if trainer.step % options.dumpInterval == 0 || endOfEpoch {
                    progress.interrupt()
                    var next = position
                    if endOfEpoch { next = DataPosition(epoch: position.epoch + 1, batch: 0) }
                    // Evaluate before the checkpoint: a run killed in between redoes both on resume.
                    try evaluate(trainer.step, Double(trainer.step) / Double(stepsPerEpoch))
                    try trainer.saveCheckpoint(position: next, in: checkpoints)
                    try CheckpointFolder.prune(in: checkpoints, keep: 2)
                }
            }
            position = DataPosition(epoch: position.epoch + 1, batch: 0)
        }
    }

    /// The order of the training examples in `epoch`: a seeded Fisher–Yates shuffle.
    static func epochOrder(count: Int, epoch: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        let key = RandomStream.mix(seed ^ (0x5EED_0000 &+ UInt64(epoch)))
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(RandomStream.uniform(key: key, index: i) * Float(i + 1)) % (i + 1)
            order.swapAt(i, j)
        }
        return order
    }
}

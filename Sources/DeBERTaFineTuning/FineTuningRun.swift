import DeBERTaGLUE
import DeBERTaModeling
import DeBERTaTensors
import DeBERTaTokenizers
import DeBERTaTraining
import Foundation
import Logging

/// A GLUE run: ``FineTuningRun`` over a ``DeBERTaGLUE/GLUETask``.
public typealias GLUEFineTuning = FineTuningRun<GLUETask>

/// A complete fine-tuning run of one task: features, model, training with periodic checkpoints and
/// evaluations, predictions, and the fine-tuned model as a Hugging Face folder (`OUTPUT/model`).
/// What is task-specific comes from `task` (see ``FineTuningTask``); everything here is shared.
///
/// Every data file the options ask for is read and turned into features before anything is
/// written, so a malformed file (or a model that does not load) leaves the output directory as it was.
public final class FineTuningRun<Task: FineTuningTask> {
    public let options: FineTuningOptions
    public let task: Task
    let logger: Logger
    /// Every evaluation so far (kept across a resume).
    public private(set) var records: [EvaluationRecord] = []
    /// `eval_results.jsonl`: one line per evaluation of a split.
    let results: JSONLinesFile<EvaluationRecord>

    /// One split read and turned into features.
    struct Dataset {
        let split: Task.Split
        let examples: [Task.Example]
        let features: [Task.Feature]
    }

    public init(task: Task, options: FineTuningOptions, logger: Logger = Logger(label: "deberta.train")) {
        self.options = options
        self.task = task
        self.logger = logger
        results = JSONLinesFile(options.outputDirectory.appendingPathComponent("eval_results.jsonl"))
    }

    /// Runs what the options ask for; returns every evaluation made.
    @discardableResult
    public func run() throws -> [EvaluationRecord] {
        let (tokenizer, tokenizerFiles) = try loadTokenizer()
        let padId = Int32(tokenizer.specialTokenIds.pad)
        func read(_ split: Task.Split, limit: Int?) throws -> Dataset {
            var examples = try task.examples(split: split, dataDirectory: options.dataDirectory)
            if let limit { examples = Array(examples.prefix(limit)) }
            return Dataset(split: split, examples: examples,
                           features: try task.features(for: examples, tokenizer: tokenizer, maxSequenceLength: options.maxSequenceLength))
        }
        var evaluationSets: [Dataset] = []
        if options.doEval || options.doTrain {
            for split in task.evaluationSplits {
                guard exists(split) else {
                    logger.warning("no \(task.dataFile(for: split, in: options.dataDirectory).lastPathComponent) in \(options.dataDirectory.path): \(split.name) not evaluated")
                    continue
                }
                evaluationSets.append(try read(split, limit: options.maxEvalExamples))
            }
        }
        let training = options.doTrain ? try read(task.trainSplit, limit: options.maxTrainExamples) : nil
        let predictionSets = options.doPredict ? try task.predictionSplits.filter { exists($0) }.map { try read($0, limit: nil) } : []

        let model = try loadModel(tokenizer: tokenizer)
        logger.info("\(task.displayName): \(model.head.architecture(v1: model.fusedAttention)), \(model.parameterCount) parameters, tokenizer \(tokenizer.kind.rawValue) (\(tokenizer.vocabularySize) ids)")
        try FileManager.default.createDirectory(at: options.outputDirectory, withIntermediateDirectories: true)

        if options.doEval || options.doTrain {
            // A resumed run continues the file; `fit` drops the evaluations past its checkpoint.
            records = try results.keep { _ in options.resume }
        }
        func evaluateAll(step: Int, epoch: Double) throws {
            for set in evaluationSets {
                let predictions = try predictExamples(model, set, padId: padId, batchSize: options.evalBatchSize)
                guard var metrics = try task.evaluate(predictions, examples: set.examples) else {
                    throw ModelError.file(task.dataFile(for: set.split, in: options.dataDirectory).path,
                                          "\(set.split.name) has no gold labels to evaluate against")
                }
                metrics["examples"] = Double(set.examples.count)
                try record(EvaluationRecord(step: step, epoch: epoch, split: set.split.name, metrics: metrics))
                _ = try task.writePredictions(predictions, examples: set.examples, split: set.split, directory: options.outputDirectory)
            }
        }

        var position = (step: 0, epoch: 0.0)
        if let training {
            position = try fit(model, training.features, padId: padId, evaluate: evaluateAll)
        } else if options.doEval {
            try evaluateAll(step: 0, epoch: 0)
        }
        for set in predictionSets {
            let predictions = try predictExamples(model, set, padId: padId, batchSize: options.predictBatchSize)
            if let url = try task.writePredictions(predictions, examples: set.examples, split: set.split, directory: options.outputDirectory) {
                logger.info("wrote \(url.path) (\(set.examples.count) predictions)")
            }
            // A test file with gold labels is scored once, at the end (never during training).
            if var metrics = try task.evaluate(predictions, examples: set.examples) {
                metrics["examples"] = Double(set.examples.count)
                let name = set.split.name
                // A run resumed after it finished predicts again: its earlier line for this split goes.
                func isEarlier(_ record: EvaluationRecord) -> Bool { record.step == position.step && record.split == name }
                try results.keep { !isEarlier($0) }
                records.removeAll(where: isEarlier)
                try record(EvaluationRecord(step: position.step, epoch: position.epoch, split: name, metrics: metrics))
            }
        }
        if options.doTrain {
            let folder = options.outputDirectory.appendingPathComponent("model")
            try model.saveHuggingFaceFolder(to: folder, labels: task.labelNames, tokenizerFiles: tokenizerFiles)
            logger.info("saved the fine-tuned model to \(folder.path)")
        }
        return records
    }

    /// Appends `record` to `eval_results.jsonl` and to ``records``, and prints it.
    func record(_ record: EvaluationRecord) throws {
        var record = record
        record.tag = options.tag
        try results.append(record)
        records.append(record)
        record.printTable()
    }

    func exists(_ split: Task.Split) -> Bool {
        FileManager.default.fileExists(atPath: task.dataFile(for: split, in: options.dataDirectory).path)
    }

    /// The predictions for a split's examples.
    func predictExamples(_ model: DeBERTaModel, _ set: Dataset, padId: Int32, batchSize: Int) throws -> [Task.Prediction] {
        let outputs = try predict(model, set.features, padId: padId, batchSize: batchSize)
        return try task.predictions(from: outputs, features: set.features, examples: set.examples)
    }

    // MARK: Training loop

    /// Trains on `features`, evaluating and checkpointing every `dumpInterval` steps and at each
    /// epoch's end; returns the last step and epoch.
    func fit(_ model: DeBERTaModel, _ features: [Task.Feature], padId: Int32,
             evaluate: (Int, Double) throws -> Void) throws -> (step: Int, epoch: Double) {
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
                let result = try trainer.train(makeBatch(rows.map { features[$0] }, padId: padId))
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
        return (trainer.step, Double(trainer.step) / Double(stepsPerEpoch))
    }
}

extension FineTuningRun {
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

extension FineTuningRun where Task == GLUETask {
    /// A run of the GLUE task `options.taskName`.
    /// - Throws: `GLUEError` (`.unknownTask`) for a name that is no GLUE task.
    public convenience init(_ options: FineTuningOptions, logger: Logger = Logger(label: "deberta.train")) throws {
        self.init(task: try GLUETask(name: options.taskName), options: options, logger: logger)
    }
}

extension FineTuningTasks {
    /// Runs the task `options.taskName` names (see ``named(_:)``) as the options ask; returns every
    /// evaluation made.
    @discardableResult
    public static func run(_ options: FineTuningOptions, logger: Logger = Logger(label: "deberta.train")) throws -> [EvaluationRecord] {
        var task = try named(options.taskName)
        if var squad = task as? SQuADTask {
            squad.docStride = options.docStride
            squad.maxQueryLength = options.maxQueryLength
            squad.nBestSize = options.nBestSize
            squad.maxAnswerLength = options.maxAnswerLength
            squad.nullScoreDiffThreshold = options.nullScoreDiffThreshold
            task = squad
        }
        return try run(task, options, logger)
    }

    private static func run<T: FineTuningTask>(_ task: T, _ options: FineTuningOptions, _ logger: Logger) throws -> [EvaluationRecord] {
        try FineTuningRun(task: task, options: options, logger: logger).run()
    }
}

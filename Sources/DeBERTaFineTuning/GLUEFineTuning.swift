import DeBERTaTraining
import DeBERTaFiles
import DeBERTaCheckpoint
import DeBERTaModeling
import Foundation
import DeBERTaGLUE
import Logging
import DeBERTaTensors
import DeBERTaTokenizers

/// One evaluation's results, as a line of `eval_results.jsonl`.
public struct EvaluationRecord: Sendable {
    public var step: Int
    public var epoch: Double
    public var split: String
    public var metrics: [String: Double]

    var json: String {
        var object: [String: Any] = ["step": step, "epoch": epoch, "split": split]
        for (k, v) in metrics { object[k] = v.isFinite ? v : NSNull() }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

/// A complete GLUE run: features, model, training with periodic checkpoints and evaluations,
/// test predictions, and the fine-tuned model as a Hugging Face folder (`OUTPUT/model`).
public final class GLUEFineTuning {
    public let options: FineTuningOptions
    public let task: GLUETask
    let logger: Logger
    public private(set) var records: [EvaluationRecord] = []

    public init(_ options: FineTuningOptions, logger: Logger = Logger(label: "deberta.train")) throws {
        self.options = options
        self.task = try GLUETask(name: options.taskName)
        self.logger = logger
    }

    /// Runs what the options ask for; returns every evaluation made.
    @discardableResult
    public func run() throws -> [EvaluationRecord] {
        let fm = FileManager.default
        try fm.createDirectory(at: options.outputDirectory, withIntermediateDirectories: true)
        let (tokenizer, tokenizerFiles) = try loadTokenizer()
        let model = try loadModel(tokenizer: tokenizer)
        logger.info("\(task.directoryName): \(model.head.architecture(v1: model.fusedAttention)), \(model.parameterCount) parameters, tokenizer \(tokenizer.kind.rawValue) (\(tokenizer.vocabularySize) ids)")

        var devSets: [(GLUESplit, [GLUEExample], [GLUEFeature])] = []
        if options.doEval || options.doTrain {
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
        let resultsURL = options.outputDirectory.appendingPathComponent("eval_results.jsonl")
        if options.resume, let old = try? String(contentsOf: resultsURL, encoding: .utf8) {
            // Our parser reads numbers with Double(String), so rewritten records keep their digits.
            records = old.split(separator: "\n").compactMap { line in
                guard let o = try? JSONParser.parse(Array(line.utf8)), case .object(let members) = o,
                      let step = o["step"]?.intValue, let split = o["split"]?.stringValue else { return nil }
                var metrics: [String: Double] = [:]
                for (key, value) in members {
                    let name = String(decoding: key, as: UTF8.self)
                    guard name != "epoch", name != "step" else { continue }
                    if let v = value.doubleValue { metrics[name] = v } else if case .null = value { metrics[name] = .nan }
                }
                return EvaluationRecord(step: step, epoch: o["epoch"]?.doubleValue ?? 0, split: split, metrics: metrics)
            }
        }
        func evaluateAll(step: Int, epoch: Double) throws {
            for (split, examples, features) in devSets {
                let predictions = try predict(model, features, batchSize: options.evalBatchSize)
                var metrics = try GLUEMetrics.evaluate(task: task, predictions: predictions, examples: examples)
                metrics["examples"] = Double(examples.count)
                let record = EvaluationRecord(step: step, epoch: epoch, split: split.name, metrics: metrics)
                records.append(record)
                printTable(record)
            }
            try writeFileAtomically(Data((records.map(\.json).joined(separator: "\n") + "\n").utf8), to: resultsURL)
        }

        if options.doTrain {
            var train = try task.examples(split: .train, dataDirectory: options.dataDirectory)
            if let n = options.maxTrainExamples { train = Array(train.prefix(n)) }
            let features = try GLUEFeatures.make(train, tokenizer: tokenizer, maxSequenceLength: options.maxSequenceLength)
            try fit(model, features, evaluate: evaluateAll)
        } else if options.doEval {
            try evaluateAll(step: 0, epoch: 0)
        }
        if options.doPredict {
            for split in task.testSplits where fileExists(split) {
                let examples = try task.examples(split: split, dataDirectory: options.dataDirectory)
                let features = try GLUEFeatures.make(examples, tokenizer: tokenizer, maxSequenceLength: options.maxSequenceLength)
                let predictions = try predict(model, features, batchSize: options.predictBatchSize)
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

    func fit(_ model: DeBERTaModel, _ features: [GLUEFeature], evaluate: (Int, Double) throws -> Void) throws {
        guard !features.isEmpty else { throw ModelError.input("no training examples in \(options.dataDirectory.path)") }
        let batchSize = options.trainBatchSize
        let stepsPerEpoch = (features.count + batchSize - 1) / batchSize
        var trainingOptions = options.training
        trainingOptions.totalSteps = max(1, Int(Double(features.count) * options.epochs / Double(batchSize)))
        let total = trainingOptions.totalSteps
        let trainer = Trainer(model: model, options: trainingOptions)
        let checkpoints = options.outputDirectory.appendingPathComponent("checkpoints")
        var position = DataPosition()
        if options.resume, let latest = TrainingCheckpoint.latest(in: checkpoints) {
            position = try TrainingCheckpoint.restore(trainer, from: latest).position
            logger.info("resumed from \(latest.lastPathComponent): step \(trainer.step), epoch \(position.epoch + 1), batch \(position.batch)")
        }
        records.removeAll { $0.step > trainer.step }
        let log = try TrainingLog(options.outputDirectory.appendingPathComponent("training_log.jsonl"), keepingStepsUpTo: options.resume ? trainer.step : 0)
        let epochs = Int(options.epochs.rounded(.up))
        logger.info("training: \(features.count) examples, batch \(batchSize), \(total) steps (\(stepsPerEpoch) per epoch), lr \(trainingOptions.learningRate), warmup \(trainingOptions.warmup), \(trainingOptions.adam.variant.rawValue)\(trainingOptions.fp16 ? ", bf16 matmuls with loss scaling" : "")")
        let progress = ProgressReporter(total: total, logger: logger)
        while trainer.step < total {
            let order = Self.epochOrder(count: features.count, epoch: position.epoch, seed: trainingOptions.seed)
            while position.batch < stepsPerEpoch && trainer.step < total {
                let rows = Array(order[(position.batch * batchSize)..<min(features.count, (position.batch + 1) * batchSize)])
                let result = try trainer.train(makeBatch(rows.map { features[$0] }, labelled: true))
                position.batch += 1
                log.append(step: trainer.step, epoch: position.epoch, result: result)
                progress.step(trainer.step, epoch: position.epoch, epochs: epochs, loss: result.loss,
                              learningRate: result.learningRate, examples: rows.count)
                let endOfEpoch = position.batch == stepsPerEpoch || trainer.step == total
                if trainer.step % options.dumpInterval == 0 || endOfEpoch {
                    progress.interrupt()
                    var next = position
                    if endOfEpoch { next = DataPosition(epoch: position.epoch + 1, batch: 0) }
                    // Evaluate before the checkpoint: a run killed in between redoes both on resume.
                    try evaluate(trainer.step, Double(trainer.step) / Double(stepsPerEpoch))
                    try TrainingCheckpoint.save(trainer, position: next, in: checkpoints)
                    try TrainingCheckpoint.prune(in: checkpoints, keep: 2)
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

    // MARK: Batches and prediction

    func makeBatch(_ items: [GLUEFeature], labelled: Bool) throws -> TrainingBatch {
        let width = items.map(\.inputIds.count).max() ?? 0
        var ids = [Int32](repeating: 0, count: items.count * width)
        var types = ids, mask = ids
        let pad = Int32(0)
        for (r, f) in items.enumerated() {
            for (c, id) in f.inputIds.enumerated() {
                ids[r * width + c] = id
                types[r * width + c] = f.tokenTypeIds[c]
                mask[r * width + c] = 1
            }
            for c in f.inputIds.count..<width { ids[r * width + c] = pad }
        }
        let input = ModelInput(inputIds: IndexTensor(ids, shape: [items.count, width]),
                               attentionMask: IndexTensor(mask, shape: [items.count, width]),
                               tokenTypeIds: IndexTensor(types, shape: [items.count, width]))
        guard labelled else { return TrainingBatch(input: input, labels: .classes(IndexTensor([Int32](repeating: -100, count: items.count), shape: [items.count]))) }
        if task.isRegression {
            let y = try items.map { f -> Float in
                guard let s = f.label?.score else { throw ModelError.input("a training example has no score") }
                return Float(s)
            }
            return TrainingBatch(input: input, labels: .values(Tensor(y, shape: [items.count])))
        }
        let y = try items.map { f -> Int32 in
            guard let c = f.label?.classIndex else { throw ModelError.input("a training example has no label") }
            return Int32(c)
        }
        return TrainingBatch(input: input, labels: .classes(IndexTensor(y, shape: [items.count])))
    }

    /// Predictions in input order, computed over length-sorted batches.
    func predict(_ model: DeBERTaModel, _ features: [GLUEFeature], batchSize: Int) throws -> [LabelValue] {
        let order = GLUEBatching.lengthSortedOrder(features.map(\.inputIds))
        var sorted: [LabelValue] = []
        sorted.reserveCapacity(features.count)
        for rows in try GLUEBatching.batches(order, batchSize: batchSize) {
            let batch = try makeBatch(rows.map { features[$0] }, labelled: false)
            guard let logits = try model(batch.input).logits else { throw ModelError.input("the model has no classification head") }
            if task.isRegression {
                sorted += logits.scalars.map { .score(Double($0)) }
            } else {
                let n = task.numLabels
                let values = logits.scalars
                for r in 0..<rows.count {
                    let row = values[(r * n)..<((r + 1) * n)]
                    sorted.append(.classIndex(row.indices.max { row[$0] < row[$1] }! - r * n))
                }
            }
        }
        return try GLUEBatching.restoreInputOrder(sorted, order: order)
    }

    func printTable(_ r: EvaluationRecord) {
        let keys = r.metrics.keys.filter { $0 != "examples" }.sorted()
        let header = ["step", "epoch", "split"] + keys
        let values = ["\(r.step)", String(format: "%.2f", r.epoch), r.split] + keys.map { String(format: "%.4f", r.metrics[$0]!) }
        printResultTable(header: header, values: values)
    }

    // MARK: Loading

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

    func loadModel(tokenizer: Tokenizer) throws -> DeBERTaModel {
        let head = HeadKind.sequenceClassification(numLabels: task.numLabels)
        let seed = options.training.seed
        var configuration: DeBERTaConfiguration
        var tensors: [String: StoredTensor]? = nil
        var file = "random initialisation"
        if let pre = options.preTrained {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: pre.path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                let (c, w) = try DeBERTaModel.locateFiles(in: pre)
                configuration = try options.modelConfig.map { try ModelPresets.configuration($0) } ?? DeBERTaConfiguration.load(from: c)
                tensors = try CheckpointFile.loadTensors(from: w)
                file = w.path
            } else {
                guard let config = options.modelConfig else { throw ModelError.input("--pre_trained \(pre.path) is a file: give --model_config too") }
                configuration = try ModelPresets.configuration(config)
                tensors = try CheckpointFile.loadTensors(from: pre)
                file = pre.path
            }
        } else if let config = options.modelConfig {
            configuration = try ModelPresets.configuration(config)
            logger.warning("no --pre_trained weights: starting from random weights of \(config)")
        } else {
            throw ModelError.input("give --pre_trained (a model folder or checkpoint) or --model_config (random weights)")
        }
        if let d = options.classifierDropout { configuration.clsDropout = d }
        configuration.numLabels = task.numLabels
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

import Foundation
import DeBERTaTraining

/// A pretraining run: the original app's flags (`--task_name MLM|RTD` and the task arguments of
/// `mlm_task.py` / `rtd_task.py`).
public struct PretrainingOptions: Sendable {
    public var task: PretrainingTask
    /// Folder with `train.txt` and `valid.txt` from `prepare-data`.
    public var dataDirectory: URL
    public var outputDirectory: URL
    /// An RTD config with `generator` / `discriminator` sections (`rtd_*.json`), a single
    /// `config.json` / `model_config.json`, or a shape name (`v3-xsmall`, …).
    public var modelConfig: String
    /// Tokenizer: a folder, an `spm.model`, a `bpe_encoder.bin` or a `tokenizer.json`.
    public var vocabPath: URL
    /// `spm` or `gpt2`, when the vocabulary file's kind is ambiguous.
    public var vocabType: String?
    public var maxSequenceLength = 512
    /// Optimizer updates; nil: one pass over `train.txt` (`num_train_epochs` passes).
    public var numTrainingSteps: Int?
    public var numTrainEpochs: Double = 1
    public var trainBatchSize = 32
    public var evalBatchSize = 32
    /// `--max_ngram`: longest whole-word span masked together (MLM).
    public var maxNgram = 1
    /// Checkpoint, evaluate and export every this many steps (and at the end).
    public var dumpInterval = 10_000
    /// `--rtd_lambda`: weight of the discriminator loss. Default 10, the original code's default,
    /// which `rtd.sh` does not override (the DeBERTaV3 paper reports ELECTRA's 50).
    public var rtdLambda: Float = 10
    /// `--decoupled_training`: separate generator and discriminator steps (default, as the original).
    public var decoupledTraining = true
    /// The discriminator's learning rate when > 0 (decoupled training), else `learningRate`.
    public var discriminatorLearningRate: Double = -1
    /// Continue from released or saved weights (loaded non-strictly, as the original).
    public var initGenerator: URL?
    public var initDiscriminator: URL?
    /// Continue from the latest checkpoint in `outputDirectory/checkpoints`.
    public var resume = false
    /// Evaluate on the first N examples of `valid.txt` only.
    public var maxEvalExamples: Int?
    /// Checkpoints kept on disk.
    public var keepCheckpoints = 2
    /// Learning rate, warmup, schedule, Adam, clipping, loss scaling (`--fp16`; the products stay
    /// float32 unless `bf16MatrixProducts` is set), accumulation, seed.
    public var training = TrainingOptions()

    public init(task: PretrainingTask, dataDirectory: URL, outputDirectory: URL, modelConfig: String, vocabPath: URL) {
        self.task = task
        self.dataDirectory = dataDirectory
        self.outputDirectory = outputDirectory
        self.modelConfig = modelConfig
        self.vocabPath = vocabPath
        training.learningRate = 1e-4
        training.warmup = 0.1
    }
}

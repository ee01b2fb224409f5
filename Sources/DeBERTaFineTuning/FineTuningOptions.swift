import DeBERTaTraining
import Foundation
import DeBERTaTensors

/// A GLUE fine-tuning run: the original app's command-line settings.
public struct FineTuningOptions: Sendable {
    public var taskName: String
    public var dataDirectory: URL
    public var outputDirectory: URL
    public var doTrain = false
    public var doEval = false
    public var doPredict = false
    /// A model folder (Hugging Face or original layout) or a checkpoint file (with `modelConfig`).
    public var preTrained: URL?
    /// A `config.json` / `model_config.json`, or a released shape name (`v3-base`, …) for random weights.
    public var modelConfig: String?
    /// Tokenizer: a folder, an `spm.model`, a `bpe_encoder.bin`, or a `tokenizer.json`.
    public var vocabPath: URL?
    /// `spm` or `gpt2`, when `vocabPath` is a file whose kind is ambiguous.
    public var vocabType: String?
    public var maxSequenceLength = 128
    public var trainBatchSize = 32
    public var evalBatchSize = 32
    public var predictBatchSize = 32
    public var epochs: Double = 3
    /// Checkpoint and evaluate every this many steps (and at each epoch's end).
    public var dumpInterval = 1000
    /// `--cls_drop_out`: dropout before the classifier.
    public var classifierDropout: Float?
    /// `--tag`: a name for this run's results, written into every `eval_results.jsonl` record (the
    /// original put it into its result file names, `eval_results_<split>_<tag>.txt`).
    public var tag: String?
    /// Continue from the latest checkpoint in the output directory.
    public var resume = false
    /// Use only the first N training / evaluation examples (quick runs).
    public var maxTrainExamples: Int?
    public var maxEvalExamples: Int?
    public var training = TrainingOptions()
    /// SQuAD: `--doc_stride`, `--max_query_length`, `--n_best_size`, `--max_answer_length`,
    /// `--null_score_diff_threshold` (run_qa's defaults: 128, 64, 20, 30, 0).
    public var docStride = 128
    public var maxQueryLength = 64
    public var nBestSize = 20
    public var maxAnswerLength = 30
    public var nullScoreDiffThreshold: Float = 0

    public init(taskName: String, dataDirectory: URL, outputDirectory: URL) {
        self.taskName = taskName
        self.dataDirectory = dataDirectory
        self.outputDirectory = outputDirectory
    }
}

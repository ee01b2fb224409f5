import Foundation

/// Text classification with a sequence-classification model and its tokenizer, as transformers'
/// `text-classification` pipeline does it: encode, run the model, turn each row of logits into
/// scores (``ScoreFunction``), name them from `id2label`, best first.
///
/// ```swift
/// let classifier = try TextClassifier(folder: URL(fileURLWithPath: "Examples/deberta-v3-h256-sst2"))
/// let scores = try classifier.classify("A gripping, moving film.")   // [positive: …, negative: …], best first
/// ```
///
/// The model runs in inference mode (no dropout). A classifier is not safe to share between
/// threads that classify at the same time.
public struct TextClassifier {
    /// The model; its head is `sequenceClassification`.
    public let model: DeBERTaModel
    /// The tokenizer that makes the model's ids.
    public let tokenizer: Tokenizer
    /// Label names by class index: the configuration's `id2label`, `LABEL_k` where it has none.
    public let labels: [String]
    /// How logits become scores.
    public let scoreFunction: ScoreFunction
    /// When set, inputs longer than this many tokens (special tokens included) are truncated.
    public var maxLength: Int?

    /// Loads the model and tokenizer of one Hugging Face folder (`config.json`, `model.safetensors`
    /// or `pytorch_model.bin`, and the tokenizer files such as `spm.model`), or of an original
    /// DeBERTa release folder.
    ///
    /// - Parameters:
    ///   - folder: the model folder; its `architectures` must name a `…ForSequenceClassification` head.
    ///   - tokenizerFolder: where the tokenizer files are, when not in `folder`.
    ///   - maxLength: truncate longer inputs to this many tokens.
    /// - Throws: the loaders' errors (naming the missing or malformed file), or
    ///   ``InferenceError/unsuitableModel(folder:reason:)`` when the folder holds another kind of model.
    public init(folder: URL, tokenizerFolder: URL? = nil, maxLength: Int? = nil) throws {
        let (model, _) = try DeBERTaModel.load(from: folder)
        let tokenizer = try Tokenizer.load(directory: tokenizerFolder ?? folder)
        try self.init(model: model, tokenizer: tokenizer, maxLength: maxLength, folder: folder.path)
    }

    /// A classifier from a model and tokenizer already loaded.
    ///
    /// - Parameters:
    ///   - model: a model with a `sequenceClassification` head.
    ///   - tokenizer: the tokenizer that made the model's vocabulary.
    ///   - scoreFunction: overrides the choice from the configuration (``ScoreFunction/default(problemType:numLabels:)``).
    ///   - maxLength: truncate longer inputs to this many tokens.
    ///   - folder: names the model in error messages.
    /// - Throws: ``InferenceError/unsuitableModel(folder:reason:)`` when the model has no
    ///   sequence-classification head or the tokenizer has ids the model does not.
    public init(model: DeBERTaModel, tokenizer: Tokenizer, scoreFunction: ScoreFunction? = nil,
                maxLength: Int? = nil, folder: String = "the model") throws {
        guard case .sequenceClassification(let count) = model.head else {
            let architecture = model.head.architecture(v1: model.configuration.isV1)
            throw InferenceError.unsuitableModel(folder: folder, reason: "the model is a \(architecture), not a sequence classifier (classifier.* and pooler.* weights, architectures …ForSequenceClassification); fine-tune it first, e.g. with `deberta train`")
        }
        if tokenizer.vocabularySize > model.configuration.vocabSize {
            throw InferenceError.unsuitableModel(folder: folder, reason: "the tokenizer has \(tokenizer.vocabularySize) ids but the model only \(model.configuration.vocabSize): they do not belong together")
        }
        let configuration = model.configuration
        self.model = model
        self.tokenizer = tokenizer
        self.labels = (0..<count).map { configuration.id2label?[String($0)] ?? "LABEL_\($0)" }
        self.scoreFunction = scoreFunction ?? .default(problemType: configuration.problemType, numLabels: count)
        self.maxLength = maxLength
    }

    /// The scores of one text, or of a text pair (`[CLS] text [SEP] pair [SEP]`), best first.
    ///
    /// - Parameters:
    ///   - text: the text (the first of a pair).
    ///   - pair: the second text of a pair.
    ///   - topK: how many labels to return (all when nil).
    public func classify(_ text: String, pair: String? = nil, topK: Int? = nil) throws -> [LabelScore] {
        try classify(ModelInput(text: text, pair: pair, tokenizer: tokenizer, maxLength: maxLength), topK: topK)[0]
    }

    /// The scores of each text, best first, in the order of `texts`.
    ///
    /// - Parameters:
    ///   - texts: the texts, each encoded as `[CLS] text [SEP]`.
    ///   - topK: how many labels to return per text (all when nil).
    ///   - batchSize: texts per forward pass; each pass is padded to its longest text.
    public func classify(_ texts: [String], topK: Int? = nil, batchSize: Int = 32) throws -> [[LabelScore]] {
        try batched(texts.count, batchSize) { range in
            try ModelInput(texts: Array(texts[range]), tokenizer: tokenizer, maxLength: maxLength)
        }.flatMap { try classify($0, topK: topK) }
    }

    /// The scores of each text pair, best first, in the order of `pairs`.
    public func classify(pairs: [(text: String, pair: String)], topK: Int? = nil, batchSize: Int = 32) throws -> [[LabelScore]] {
        try batched(pairs.count, batchSize) { range in
            try ModelInput(pairs: Array(pairs[range]), tokenizer: tokenizer, maxLength: maxLength)
        }.flatMap { try classify($0, topK: topK) }
    }

    /// The scores of each row of a prepared batch, best first.
    public func classify(_ input: ModelInput, topK: Int? = nil) throws -> [[LabelScore]] {
        try classify(input, topK: topK, function: nil)
    }

    /// The model's logits for each row of `input`, `labels.count` values per row.
    public func logits(_ input: ModelInput) throws -> [[Float]] {
        guard let logits = try model(input).logits else {
            throw InferenceError.unsuitableModel(folder: "the model", reason: "the sequence-classification head produced no logits")
        }
        let width = labels.count
        let rows = logits.count / width
        return (0..<rows).map { Array(UnsafeBufferPointer(start: logits.data + $0 * width, count: width)) }
    }

    private func batched(_ count: Int, _ size: Int, _ make: (Range<Int>) throws -> ModelInput) throws -> [ModelInput] {
        guard count > 0 else { throw InferenceError.invalidInput("no texts to classify") }
        guard size > 0 else { throw InferenceError.invalidInput("batchSize \(size) must be at least 1") }
        return try stride(from: 0, to: count, by: size).map { try make($0..<min($0 + size, count)) }
    }
}

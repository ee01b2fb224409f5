import Foundation

/// Feature extraction as transformers' `feature-extraction` pipeline does it: the encoder's last
/// hidden state, one vector per token (special tokens included), plus sentence embeddings by mean
/// pooling.
///
/// ```swift
/// let extractor = try FeatureExtractor(folder: URL(fileURLWithPath: "Examples/deberta-v3-h256-sst2"))
/// let tokens = try extractor.features("A gripping film.")        // [N][H]
/// let sentence = try extractor.embedding("A gripping film.", normalize: true)  // [H], unit length
/// ```
public struct FeatureExtractor {
    /// The model; any head (only the encoder runs).
    public let model: DeBERTaModel
    /// The tokenizer that makes the model's ids.
    public let tokenizer: Tokenizer
    /// When set, inputs longer than this many tokens are truncated.
    public var maxLength: Int?

    /// Loads a model folder and its tokenizer.
    public init(folder: URL, tokenizerFolder: URL? = nil, maxLength: Int? = nil) throws {
        let (model, _) = try DeBERTaModel.load(from: folder)
        try self.init(model: model, tokenizer: Tokenizer.load(directory: tokenizerFolder ?? folder), maxLength: maxLength, folder: folder.path)
    }

    /// A feature extractor from a model and tokenizer already loaded.
    public init(model: DeBERTaModel, tokenizer: Tokenizer, maxLength: Int? = nil, folder: String = "the model") throws {
        if tokenizer.vocabularySize > model.configuration.vocabSize {
            throw InferenceError.unsuitableModel(folder: folder, reason: "the tokenizer has \(tokenizer.vocabularySize) ids but the model only \(model.configuration.vocabSize)")
        }
        self.model = model
        self.tokenizer = tokenizer
        self.maxLength = maxLength
    }

    /// The last hidden state of `text` (or the pair), `[N][H]`, N counting the special tokens.
    public func features(_ text: String, pair: String? = nil) throws -> [[Float]] {
        try features(ModelInput(text: text, pair: pair, tokenizer: tokenizer, maxLength: maxLength))[0]
    }

    /// The last hidden state of each row of a batch, without the padding: `[B][N_b][H]`.
    public func features(_ input: ModelInput) throws -> [[[Float]]] {
        let states = try model(input).lastHiddenState
        let (b, n, h) = (states.dim(0), states.dim(1), states.dim(2))
        let mask = input.attentionMask.map { $0.values.map(Int.init) } ?? Array(repeating: 1, count: b * n)
        return (0..<b).map { row in
            (0..<n).filter { mask[row * n + $0] != 0 }.map { t in
                Array(UnsafeBufferPointer(start: states.data + (row * n + t) * h, count: h))
            }
        }
    }

    /// The sentence embedding of `text`: the mean of its tokens' last hidden states (the attention
    /// mask's tokens, special tokens included, as sentence-transformers' mean pooling), optionally
    /// scaled to unit L2 norm.
    public func embedding(_ text: String, pair: String? = nil, normalize: Bool = false) throws -> [Float] {
        FeatureExtractor.meanPool(try features(text, pair: pair), normalize: normalize)
    }

    /// The embeddings of several texts (``embedding(_:pair:normalize:)``), one batch.
    public func embeddings(_ texts: [String], normalize: Bool = false) throws -> [[Float]] {
        try features(ModelInput(texts: texts, tokenizer: tokenizer, maxLength: maxLength)).map { FeatureExtractor.meanPool($0, normalize: normalize) }
    }

    /// The mean of `tokens` (in Double), then divided by its L2 norm when `normalize` (and not zero).
    public static func meanPool(_ tokens: [[Float]], normalize: Bool) -> [Float] {
        guard let width = tokens.first?.count else { return [] }
        var sum = [Double](repeating: 0, count: width)
        for token in tokens { for k in 0..<width { sum[k] += Double(token[k]) } }
        var mean = sum.map { $0 / Double(tokens.count) }
        if normalize {
            let norm = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0 { mean = mean.map { $0 / norm } }
        }
        return mean.map(Float.init)
    }

    /// `[[[…]]]` for one text, as transformers' pipeline returns it (a batch of one).
    public func pipeline(_ text: String, pair: String? = nil) throws -> PipelineJSON {
        let rows = try features(text, pair: pair)
        return .array([.array(rows.map { .array($0.map { .number(Double($0)) }) })])
    }
}

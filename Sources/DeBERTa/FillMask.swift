import Foundation

/// Fill-mask with a masked-LM model (an MLM model or an RTD generator) through the Enhanced Mask
/// Decoder, as pretraining computes the predictions (MODEL.md §12; transformers' pipeline skips the
/// decoder).
///
/// ```swift
/// let filler = try FillMask(folder: URL(fileURLWithPath: "runs/pretrain-rtd/generator"))
/// for candidate in try filler.predict("Paris is the [MASK] of France.")[0] {
///     print(candidate.text, candidate.probability)
/// }
/// ```
public struct FillMask {
    /// One candidate for one `[MASK]`.
    public struct Candidate: Sendable, Equatable {
        /// The token's id.
        public var id: Int
        /// The vocabulary string (`▁capital`).
        public var token: String
        /// The token as text (`capital`).
        public var text: String
        /// Softmax over the whole vocabulary at this mask.
        public var probability: Double
        /// The input with this candidate in place of the mask, decoded.
        public var sequence: String
    }

    /// The model; its head is `maskedLM`.
    public let model: DeBERTaModel
    /// The tokenizer that makes the model's ids; its `[MASK]` marks the positions to fill.
    public let tokenizer: Tokenizer
    /// Whether predictions go through the Enhanced Mask Decoder (false when the model has no
    /// absolute position table: then the last layer's output feeds the head directly).
    public let usesDecoder: Bool

    /// Loads the model and tokenizer of one folder (`config.json`, the weights, the tokenizer files),
    /// such as the `generator/` folder `deberta pretrain --task rtd` writes.
    ///
    /// - Throws: the loaders' errors, or ``InferenceError/unsuitableModel(folder:reason:)`` when the
    ///   model has no masked-LM head.
    public init(folder: URL, tokenizerFolder: URL? = nil) throws {
        let (model, _) = try DeBERTaModel.load(from: folder)
        let tokenizer = try Tokenizer.load(directory: tokenizerFolder ?? folder)
        try self.init(model: model, tokenizer: tokenizer, folder: folder.path)
    }

    /// Checks that `model` can fill masks: it needs the `lm_predictions.lm_head.*` head.
    ///
    /// - Parameters:
    ///   - model: a model with the masked-LM head.
    ///   - tokenizer: the tokenizer that made the model's vocabulary.
    ///   - folder: names the model in error messages.
    /// - Throws: ``InferenceError/unsuitableModel(folder:reason:)`` for another head (an RTD
    ///   discriminator is told to use its generator) or a tokenizer with more ids than the model.
    public init(model: DeBERTaModel, tokenizer: Tokenizer, folder: String = "the model") throws {
        switch model.head {
        case .maskedLM: break
        case .replacedTokenDetection:
            throw InferenceError.unsuitableModel(folder: folder, reason: "this is an RTD discriminator (mask_predictions.* head, no lm_predictions.lm_head.*): it scores whether tokens were replaced and cannot predict masked tokens; use the generator saved beside it (OUTPUT_DIR/generator)")
        default:
            throw InferenceError.unsuitableModel(folder: folder, reason: "the model has no masked-LM head (lm_predictions.lm_head.*), so it cannot fill masks (its head: \(model.head.architecture(v1: model.fusedAttention)))")
        }
        if tokenizer.vocabularySize > model.configuration.vocabSize {
            throw InferenceError.unsuitableModel(folder: folder, reason: "the tokenizer has \(tokenizer.vocabularySize) ids but the model only \(model.configuration.vocabSize)")
        }
        self.model = model
        self.tokenizer = tokenizer
        usesDecoder = model.configuration.positionBiasedInput || model.embeddings.positionEmbeddings != nil
    }

    /// The `topK` most likely tokens for every `[MASK]` in `text`, in order of the masks.
    ///
    /// Literal `[MASK]` strings in `text` become the mask token, as in transformers' pipeline.
    /// - Throws: ``InferenceError/invalidInput(_:)`` when `text` has no `[MASK]` or is longer than
    ///   the model's position table.
    public func predict(_ text: String, topK: Int = 5) throws -> [[Candidate]] {
        try predict(ids: tokenizer.encode(text, pair: nil, splitSpecialTokens: true).inputIds, topK: topK)
    }

    /// The `topK` most likely tokens for every mask id in `ids` (one sequence, special tokens
    /// included), in order of the masks.
    public func predict(ids: [Int], topK: Int = 5) throws -> [[Candidate]] {
        let (positions, rows) = try maskProbabilities(ids: ids)
        return positions.enumerated().map { k, position in
            let probabilities = rows[k]
            // Best first; equal probabilities in id order, so the result does not depend on the sort.
            let best = probabilities.indices.sorted { probabilities[$0] != probabilities[$1] ? probabilities[$0] > probabilities[$1] : $0 < $1 }
                .prefix(max(topK, 1))
            return best.map { id in
                var filled = ids
                filled[position] = id
                return Candidate(id: id, token: tokenizer.token(for: id) ?? "?", text: tokenizer.decode([id]),
                                 probability: probabilities[id], sequence: tokenizer.decode(filled))
            }
        }
    }

    /// The positions of the mask ids in `ids` and, for each, the softmax over the vocabulary.
    func maskProbabilities(ids: [Int]) throws -> (positions: [Int], probabilities: [[Double]]) {
        let mask = tokenizer.specialTokenIds.mask
        let positions = ids.indices.filter { ids[$0] == mask }
        guard !positions.isEmpty else {
            throw InferenceError.invalidInput("the text has no \(tokenizer.token(for: mask) ?? "[MASK]") token to fill")
        }
        if ids.count > model.configuration.maxPositionEmbeddings && usesDecoder {
            throw InferenceError.invalidInput("the text has \(ids.count) tokens, more than max_position_embeddings \(model.configuration.maxPositionEmbeddings)")
        }
        let input = ModelInput(inputIds: IndexTensor(ids, shape: [1, ids.count]))
        let logits: Tensor
        if usesDecoder {
            logits = try model.maskedLMLogits(input, at: positions)
        } else {
            guard let all = try model(input).logits else {
                throw InferenceError.unsuitableModel(folder: "the model", reason: "the masked-LM head produced no logits")
            }
            let v = all.dim(-1)
            logits = Tensor(positions.flatMap { Array(UnsafeBufferPointer(start: all.data + $0 * v, count: v)) }, shape: [positions.count, v])
        }
        let v = logits.dim(-1)
        return (positions, positions.indices.map { softmaxProbabilities(UnsafeBufferPointer(start: logits.data + $0 * v, count: v)) })
    }
}

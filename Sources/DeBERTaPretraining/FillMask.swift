import DeBERTaModeling
import Foundation
import DeBERTaTensors
import DeBERTaTokenizers

/// Fill-mask with a masked-LM model through the Enhanced Mask Decoder, as pretraining computes the
/// predictions (MODEL.md §12; transformers' pipeline skips the decoder).
public struct FillMask {
    /// One candidate for one `[MASK]`.
    public struct Candidate: Sendable, Equatable {
        public var id: Int
        /// The vocabulary string (`▁capital`).
        public var token: String
        /// The token as text (`capital`).
        public var text: String
        public var probability: Double
        /// The input with this candidate in place of the mask, decoded.
        public var sequence: String
    }

    public let model: DeBERTaModel
    public let tokenizer: Tokenizer
    /// Whether predictions go through the Enhanced Mask Decoder (false when the model has no
    /// absolute position table: then the last layer's output feeds the head directly).
    public let usesDecoder: Bool

    /// Checks that `model` can fill masks: it needs the `lm_predictions.lm_head.*` head.
    public init(model: DeBERTaModel, tokenizer: Tokenizer, folder: String = "the model") throws {
        switch model.head {
        case .maskedLM: break
        case .replacedTokenDetection:
            throw PretrainingError.file(folder, "this is an RTD discriminator (mask_predictions.* head, no lm_predictions.lm_head.*): it scores whether tokens were replaced and cannot predict masked tokens; use the generator saved beside it (OUTPUT_DIR/generator)")
        default:
            throw PretrainingError.file(folder, "the model has no masked-LM head (lm_predictions.lm_head.*), so it cannot fill masks (its head: \(model.head.architecture(v1: model.fusedAttention)))")
        }
        if tokenizer.vocabularySize > model.configuration.vocabSize {
            throw PretrainingError.file(folder, "the tokenizer has \(tokenizer.vocabularySize) ids but the model only \(model.configuration.vocabSize)")
        }
        self.model = model
        self.tokenizer = tokenizer
        usesDecoder = model.configuration.positionBiasedInput || model.embeddings.positionEmbeddings != nil
    }

    /// The `topK` most likely tokens for every `[MASK]` in `text`, in order of the masks.
    public func predict(_ text: String, topK: Int = 5) throws -> [[Candidate]] {
        let encoding = try tokenizer.encode(text, pair: nil, splitSpecialTokens: true)
        let mask = tokenizer.specialTokenIds.mask
        let ids = encoding.inputIds
        let positions = ids.indices.filter { ids[$0] == mask }
        guard !positions.isEmpty else {
            throw PretrainingError.invalidOption("the text has no \(tokenizer.token(for: mask) ?? "[MASK]") token to fill")
        }
        if ids.count > model.configuration.maxPositionEmbeddings && usesDecoder {
            throw PretrainingError.invalidOption("the text has \(ids.count) tokens, more than max_position_embeddings \(model.configuration.maxPositionEmbeddings)")
        }
        let input = ModelInput(inputIds: IndexTensor(ids, shape: [1, ids.count]))
        let logits: Tensor
        if usesDecoder {
            logits = try model.maskedLMLogits(input, at: positions)
        } else {
            guard let all = try model(input).logits else { throw PretrainingError.invalidOption("the model produced no logits") }
            let v = all.dim(-1)
            logits = Tensor(positions.flatMap { Array(UnsafeBufferPointer(start: all.data + $0 * v, count: v)) }, shape: [positions.count, v])
        }
        let v = logits.dim(-1)
        return positions.enumerated().map { k, position in
            let row = UnsafeBufferPointer(start: logits.data + k * v, count: v)
            let mx = Double(row.max() ?? 0)
            var probabilities = row.map { Foundation.exp(Double($0) - mx) }
            let total = probabilities.reduce(0, +)
            for i in probabilities.indices { probabilities[i] /= total }
            let best = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(max(topK, 1))
            return best.map { id in
                var filled = ids
                filled[position] = id
                return Candidate(id: id, token: tokenizer.token(for: id) ?? "?", text: tokenizer.decode([id]),
                                 probability: probabilities[id], sequence: tokenizer.decode(filled))
            }
        }
    }
}

import DeBERTaCheckpoint
import DeBERTaTensors

/// Inputs of a forward pass.
public struct ModelInput {
    /// Token ids `[B, N]` (`[B, C, N]` for multiple choice).
    public var inputIds: IndexTensor
    /// 1 for real tokens, 0 for padding, same shape as `inputIds`; all ones when nil.
    ///
    /// Or a pair mask `[B, N, N]` (`[B, C, N, N]` for multiple choice), used as given, as the
    /// original's `get_attention_mask` and transformers' encoders use one: query i attends to key j
    /// when `mask[b, i, j] != 0`, and a query that attends to nothing gets uniform probabilities. The
    /// tokens no query attends to (`mask.sum(-2) == 0`) are zeroed in the embeddings and the
    /// convolution layer, as the encoders' own reduction of such a mask says (transformers'
    /// `DebertaV2Model` itself fails on one: its embeddings multiply `[B, N, H]` by the mask).
    public var attentionMask: IndexTensor?
    /// Segment ids (used only when `type_vocab_size > 0`).
    public var tokenTypeIds: IndexTensor?
    /// Absolute positions `[B, N]` (used when `position_biased_input` and by the EMD); `0..<N` when nil.
    public var positionIds: IndexTensor?

    public init(inputIds: IndexTensor, attentionMask: IndexTensor? = nil, tokenTypeIds: IndexTensor? = nil, positionIds: IndexTensor? = nil) {
        self.inputIds = inputIds
        self.attentionMask = attentionMask
        self.tokenTypeIds = tokenTypeIds
        self.positionIds = positionIds
    }
}

/// Targets for a head's loss.
public enum Labels {
    /// Class indices: one per sequence (classification, multiple choice) or per token
    /// (token classification, masked LM); −100 (any negative value) is ignored.
    case classes(IndexTensor)
    /// Regression targets (`num_labels == 1`) or 0/1 replaced-token targets.
    case values(Tensor)
    /// Answer span start and end positions (question answering).
    case spans(start: IndexTensor, end: IndexTensor)
}

/// Outputs of a forward pass.
public struct ModelOutput {
    /// `[X0, X1, …, XL]`: the embedding output, then every layer's output, each `[B, N, H]`.
    public var hiddenStates: [Tensor]
    /// The head's output: `[B, labels]` (sequence classification; `[B]` for regression),
    /// `[B, N, labels]` (tokens), `[B, N, V]` (masked LM), `[B, N, 2]` (QA start/end),
    /// `[B, C]` (multiple choice), `[B, N]` (RTD); nil for the bare encoder.
    public var logits: Tensor?
    /// Mean loss `[1]`, when labels were given.
    public var loss: Tensor?
    /// Every layer's attention probabilities `[B, heads, N, N]` (after the softmax, before dropout),
    /// when the pass was asked for them (`outputAttentions`); nil otherwise. Multiple choice gives
    /// them for the flattened `[B·C, N]` inputs, as transformers does.
    public var attentions: [Tensor]? = nil

    public var lastHiddenState: Tensor { hiddenStates[hiddenStates.count - 1] }
}

/// A DeBERTa encoder with an optional task head.
public final class DeBERTaModel {
    public let configuration: DeBERTaConfiguration
    public let head: HeadKind
    /// Every parameter, named as in a Hugging Face state dict, in creation order.
    public let parameters: [Parameter]
    public let embeddings: Embeddings
    public let encoder: DeBERTaEncoder
    /// Whether v1 attention uses the fused `in_proj` layout.
    public let fusedAttention: Bool
    /// The longest sequence a pass accepts (longer ones are an error, not minutes of quadratic
    /// attention); see ``defaultMaxSequenceLength(_:)``. Relative-attention models may raise it;
    /// position-biased ones stay capped at `max_position_embeddings` (``effectiveMaxSequenceLength``).
    public var maxSequenceLength: Int
    let pooler: ContextPooler?
    let classifier: Linear?
    let lmHead: MaskedLMHead?
    let rtdHead: ReplacedTokenHead?
    /// The weight copies of every linear layer (see ``WeightCache``): made by inference passes,
    /// emptied by passes that record gradients.
    let weightCaches: [WeightCache]

    /// Builds the model's parameters through `builder` (from checkpoint tensors or at random).
    /// `fusedAttention` selects v1's `in_proj` layout (default: `model_type == "deberta"`).
    public init(configuration c: DeBERTaConfiguration, head: HeadKind, builder b: ParameterBuilder,
                fusedAttention: Bool? = nil, keepPositionTable: Bool = true) throws {
        try c.validate()
        try c.validate(head: head)
        configuration = c
        self.head = head
        let fused = fusedAttention ?? c.isV1
        self.fusedAttention = fused
        maxSequenceLength = Self.defaultMaxSequenceLength(c)
        embeddings = Embeddings(b, "deberta.embeddings", c, wantsPositionTable: keepPositionTable)
        encoder = DeBERTaEncoder(b, "deberta.encoder", c, fusedAttention: fused)
        let std = c.initializerRange
        switch head {
        case .encoderOnly, .questionAnswering, .tokenClassification, .maskedLM, .replacedTokenDetection:
            pooler = nil
        case .sequenceClassification, .multipleChoice:
            pooler = ContextPooler(b, c)
        }
        switch head {
        case let .sequenceClassification(n):
            classifier = Linear(b, "classifier", in: pooler!.outputSize, out: n, std: std)
        case .multipleChoice:
            classifier = Linear(b, "classifier", in: pooler!.outputSize, out: 1, std: std)
        case let .tokenClassification(n):
            classifier = Linear(b, "classifier", in: c.hiddenSize, out: n, std: std)
        case .questionAnswering:
            classifier = Linear(b, "qa_outputs", in: c.hiddenSize, out: 2, std: std)
        default:
            classifier = nil
        }
        lmHead = head == .maskedLM ? MaskedLMHead(b, c) : nil
        rtdHead = head == .replacedTokenDetection ? ReplacedTokenHead(b, c) : nil
        parameters = b.parameters
        weightCaches = b.weightCaches
        try b.finish()
    }

    /// A model with freshly initialised weights (MODEL.md §15.2).
    public convenience init(configuration: DeBERTaConfiguration, head: HeadKind = .encoderOnly, seed: UInt64) throws {
        try self.init(configuration: configuration, head: head, builder: ParameterBuilder(randomSeed: seed))
    }

    /// The parameter called `name`, if any.
    public func parameter(named name: String) -> Parameter? { parameters.first { $0.name == name } }

    /// Makes every parameter trainable (the default) or frozen; see ``Parameter/setRequiresGrad(_:)``.
    /// Training and inference are chosen per pass, by ``ForwardContext/mode``, not here.
    public func setRequiresGrad(_ on: Bool) { parameters.forEach { $0.setRequiresGrad(on) } }

    /// Number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// The encoder's hidden states for `[B, N]` inputs.
    public func encode(_ input: ModelInput, context: ForwardContext = ForwardContext()) throws -> [Tensor] {
        try encoderPass(input, attentions: false, context: context).states
    }

    /// The encoder's hidden states `[X0, …, XL]`, every layer's attention probabilities (with
    /// `attentions`), and the masks the pass used, for `[B, N]` inputs.
    func encoderPass(_ input: ModelInput, attentions: Bool, context: ForwardContext) throws
        -> (states: [Tensor], attentions: [Tensor]?, masks: AttentionMasks) {
        try checkInputBounds(input)
        let ids = input.inputIds
        guard ids.shape.count == 2 else { throw ModelError.input("input_ids must be [batch, length], got \(ids.shape)") }
        let c = configuration
        if let bad = ids.values.first(where: { $0 < 0 || Int($0) >= c.vocabSize }) {
            throw ModelError.input("token id \(bad) outside the vocabulary [0, \(c.vocabSize))")
        }
        let n = ids.shape[1]
        if c.positionBiasedInput && n > c.maxPositionEmbeddings {
            throw ModelError.input("sequence length \(n) exceeds max_position_embeddings \(c.maxPositionEmbeddings)")
        }
        if let m = input.attentionMask, m.shape != ids.shape && m.shape != ids.shape + [n] {
            throw ModelError.input("attention_mask \(m.shape) does not match input_ids \(ids.shape): it must be \(ids.shape) (tokens) or \(ids.shape + [n]) (pairs)")
        }
        if let t = input.tokenTypeIds {
            guard t.shape == ids.shape else { throw ModelError.input("token_type_ids \(t.shape) does not match input_ids \(ids.shape)") }
            if c.typeVocabSize > 0, let bad = t.values.first(where: { $0 < 0 || Int($0) >= c.typeVocabSize }) {
                throw ModelError.input("token type \(bad) outside [0, \(c.typeVocabSize))")
            }
        }
        if let p = input.positionIds {
            guard p.shape == ids.shape else { throw ModelError.input("position_ids \(p.shape) does not match input_ids \(ids.shape)") }
            if let bad = p.values.first(where: { $0 < 0 || Int($0) >= c.maxPositionEmbeddings }) {
                throw ModelError.input("position id \(bad) outside [0, \(c.maxPositionEmbeddings))")
            }
        }
        let masks = AttentionMasks(input.attentionMask, batch: ids.shape[0], length: n)
        let x0 = embeddings(ids, tokenTypes: input.tokenTypeIds, positions: input.positionIds, mask: masks.tokens, context: context)
        let (states, probabilities) = encoder(x0, masks: masks, context: context, attentions: attentions)
        return (states, probabilities, masks)
    }

    /// Runs the encoder and the head; computes the loss when `labels` are given. With
    /// `outputAttentions` the output also holds every layer's attention probabilities
    /// (``ModelOutput/attentions``); such a pass does not use the fused inference kernel, which never
    /// holds them.
    public func callAsFunction(_ input: ModelInput, labels: Labels? = nil, outputAttentions: Bool = false,
                               context: ForwardContext = ForwardContext()) throws -> ModelOutput {
        try validate(labels, input: input)
        if head == .multipleChoice { return try multipleChoice(input, labels: labels, outputAttentions: outputAttentions, context: context) }
        let (states, attentions, masks) = try encoderPass(input, attentions: outputAttentions, context: context)
        let x = states[states.count - 1]
        let c = configuration
        var logits: Tensor? = nil
        var loss: Tensor? = nil
        switch head {
        case .encoderOnly, .multipleChoice:
            break
        case let .sequenceClassification(n):
            let pooled = pooler!(x, context: context)
            let out = classifier!(context.dropout(pooled, c.clsDropout ?? c.hiddenDropoutProb), context: context)
            let regression = n == 1 || c.problemType == "regression"
            logits = regression && n == 1 ? reshape(out, [out.dim(0)]) : out
            switch labels {
            case .values(let y)?: loss = meanSquaredError(logits!, y)
            case .classes(let y)?: loss = regression ? meanSquaredError(logits!, Tensor(y.values.map(Float.init), shape: [y.count])) : crossEntropy(out, labels: y)
            default: break
            }
        case .tokenClassification:
            logits = classifier!(context.dropout(x, c.hiddenDropoutProb), context: context)
            if case .classes(let y)? = labels { loss = crossEntropy(logits!, labels: y) }
        case .questionAnswering:
            logits = classifier!(x, context: context)
            if case let .spans(start, end)? = labels { loss = questionAnsweringLoss(logits!, start: start, end: end) }
        case .maskedLM:
            logits = lmHead!(x, wordEmbeddings: embeddings.wordTable, context: context)
            if case .classes(let y)? = labels { loss = crossEntropy(logits!, labels: y) }
        case .replacedTokenDetection:
            logits = rtdHead!(x, context: context)
            if case .values(let y)? = labels { loss = binaryCrossEntropyWithLogits(logits!, targets: y, weight: masks.tokens) }
        }
        return ModelOutput(hiddenStates: states, logits: logits, loss: loss, attentions: attentions)
    }

    /// Masked-LM logits through the Enhanced Mask Decoder (pretraining and fill-mask).
    public func maskedLMWithDecoder(_ input: ModelInput, labels: IndexTensor? = nil, context: ForwardContext = ForwardContext()) throws -> ModelOutput {
        let (states, decoded) = try decode(input, context: context)
        let logits = lmHead!(decoded, wordEmbeddings: embeddings.wordTable, context: context)
        return ModelOutput(hiddenStates: states + [decoded], logits: logits, loss: labels.map { crossEntropy(logits, labels: $0) })
    }

    /// Masked-LM logits through the Enhanced Mask Decoder at some positions only, as the original
    /// pretraining code computes them: `positions` index the flattened `[B·N]` tokens (e.g. those with
    /// a target label), the result is `[positions.count, V]` in that order. The decoder runs on the
    /// whole sequences; only the selected rows go through the LM head, which saves the `[B, N, V]`
    /// logits a large vocabulary would need.
    public func maskedLMLogits(_ input: ModelInput, at positions: [Int], context: ForwardContext = ForwardContext()) throws -> Tensor {
        let tokens = input.inputIds.count
        guard !positions.isEmpty else { throw ModelError.input("maskedLMLogits needs at least one position") }
        if let bad = positions.first(where: { $0 < 0 || $0 >= tokens }) {
            throw ModelError.input("position \(bad) outside the \(tokens) tokens of the batch")
        }
        let (_, decoded) = try decode(input, context: context)
        let rows = embedding(reshape(decoded, [tokens, decoded.dim(-1)]), IndexTensor(positions, shape: [positions.count]))
        return lmHead!(rows, wordEmbeddings: embeddings.wordTable, context: context)
    }

    /// The encoder's hidden states and the Enhanced Mask Decoder's output `[B, N, H]` (the last
    /// layer's output when `position_biased_input`: the original skips the decoder then, MODEL.md §12).
    func decode(_ input: ModelInput, context: ForwardContext) throws -> (states: [Tensor], decoded: Tensor) {
        guard lmHead != nil else { throw ModelError.input("this model has no masked-LM head (lm_predictions.lm_head.*)") }
        try checkDecoderPositions(input)
        let (states, _, masks) = try encoderPass(input, attentions: false, context: context)
        if configuration.positionBiasedInput { return (states, states[states.count - 1]) }
        let decoded = try EnhancedMaskDecoder()(model: self, hiddenStates: states,
                                                positions: input.positionIds ?? Embeddings.defaultPositions(input.inputIds.shape),
                                                masks: masks, context: context)
        return (states, decoded)
    }

    /// `[B, C, N]` inputs: every choice is scored through the pooler and a 1-unit classifier.
    func multipleChoice(_ input: ModelInput, labels: Labels?, outputAttentions: Bool, context: ForwardContext) throws -> ModelOutput {
        let s = input.inputIds.shape
        guard s.count == 3 else { throw ModelError.input("multiple choice input_ids must be [batch, choices, length], got \(s)") }
        // The first two axes become one; a pair mask [B, C, N, N] keeps its last two.
        func flat(_ t: IndexTensor?) -> IndexTensor? { t.map { IndexTensor($0.values, shape: [s[0] * s[1]] + $0.shape.dropFirst(2)) } }
        if let m = input.attentionMask, m.shape != s && m.shape != s + [s[2]] {
            throw ModelError.input("multiple choice attention_mask \(m.shape) does not match input_ids \(s): it must be \(s) (tokens) or \(s + [s[2]]) (pairs)")
        }
        for (name, t) in [("token_type_ids", input.tokenTypeIds), ("position_ids", input.positionIds)] {
            if let t, t.shape != s { throw ModelError.input("multiple choice \(name) \(t.shape) does not match input_ids \(s)") }
        }
        let flatInput = ModelInput(inputIds: flat(input.inputIds)!, attentionMask: flat(input.attentionMask),
                                   tokenTypeIds: flat(input.tokenTypeIds), positionIds: flat(input.positionIds))
        let (states, attentions, _) = try encoderPass(flatInput, attentions: outputAttentions, context: context)
        let pooled = pooler!(states[states.count - 1], context: context)
        let c = configuration
        let logits = reshape(classifier!(context.dropout(pooled, c.clsDropout ?? c.hiddenDropoutProb), context: context), [s[0], s[1]])
        var loss: Tensor? = nil
        if case .classes(let y)? = labels { loss = crossEntropy(logits, labels: y) }
        return ModelOutput(hiddenStates: states, logits: logits, loss: loss, attentions: attentions)
    }

    /// Mean of the start and end cross-entropies, positions clamped to `[0, N]` and `N` ignored (HF).
    func questionAnsweringLoss(_ logits: Tensor, start: IndexTensor, end: IndexTensor) -> Tensor {
        let b = logits.dim(0), n = logits.dim(1)
        let parts = splitInterleavedHeads(logits, heads: 1, parts: 2)
        func clamp(_ t: IndexTensor) -> IndexTensor {
            IndexTensor(t.values.map { v -> Int32 in let c = min(max(v, 0), Int32(n)); return c == Int32(n) ? -100 : c }, shape: [b])
        }
        let ls = crossEntropy(reshape(parts[0], [b, n]), labels: clamp(start))
        let le = crossEntropy(reshape(parts[1], [b, n]), labels: clamp(end))
        return (ls + le) * 0.5
    }
}

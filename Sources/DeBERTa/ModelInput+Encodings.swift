extension ModelInput {
    /// A batch of tokenizer encodings: ids, attention masks and token types stacked row by row into
    /// `[B, N]` tensors, where `N` is the longest encoding; shorter ones are padded on the right by
    /// `PaddedBatch` (the padder of every batch of model inputs) with `padId` (pass the tokenizer's
    /// `specialTokenIds.pad`), attention mask 0 and token type 0.
    ///
    /// Token types are always included; models with `type_vocab_size` 0 ignore them, as in
    /// transformers.
    ///
    /// - Throws: ``InferenceError/invalidInput(_:)`` when `encodings` is empty or all are empty.
    public init(encodings: [Encoding], padId: Int) throws {
        let batch = PaddedBatch(encodings.map { $0.inputIds.map(Int32.init) }, padId: Int32(padId))
        guard batch.columns > 0 else {
            throw InferenceError.invalidInput(encodings.isEmpty ? "no encodings to batch" : "every encoding is empty")
        }
        // The encodings' own masks, not the batch's, so that encodings padded beforehand keep 0 there.
        let mask = batch.aligned(encodings.map { $0.attentionMask.map(Int32.init) }, padding: 0)
        let types = batch.aligned(encodings.map { $0.tokenTypeIds.map(Int32.init) }, padding: 0)
        let shape = [batch.rows, batch.columns]
        self.init(inputIds: IndexTensor(batch.inputIds, shape: shape), attentionMask: IndexTensor(mask, shape: shape),
                  tokenTypeIds: IndexTensor(types, shape: shape))
    }

    /// Encodes `texts` as `[CLS] text [SEP]` with `tokenizer` (in parallel) and batches them, padded
    /// to the longest with the tokenizer's `[PAD]` (``init(encodings:padId:)``).
    ///
    /// - Parameters:
    ///   - texts: the texts of the batch, in order.
    ///   - tokenizer: the model's tokenizer; its `[PAD]` pads.
    ///   - maxLength: when given, longer inputs are truncated to this many tokens (special tokens
    ///     included).
    /// - Throws: ``InferenceError/invalidInput(_:)`` for an empty list, or the tokenizer's error.
    public init(texts: [String], tokenizer: Tokenizer, maxLength: Int? = nil) throws {
        try self.init(encodings: tokenizer.encodeBatch(texts, maxLength: maxLength), padId: tokenizer.specialTokenIds.pad)
    }

    /// Encodes text pairs as `[CLS] text [SEP] pair [SEP]` (token types 0 then 1) with `tokenizer`
    /// and batches them, padded to the longest with the tokenizer's `[PAD]`.
    ///
    /// - Parameters:
    ///   - pairs: the text pairs of the batch, in order.
    ///   - tokenizer: the model's tokenizer; its `[PAD]` pads.
    ///   - maxLength: when given, longer inputs are truncated to this many tokens, longest segment
    ///     first, as transformers does.
    /// - Throws: ``InferenceError/invalidInput(_:)`` for an empty list, or the tokenizer's error.
    public init(pairs: [(text: String, pair: String)], tokenizer: Tokenizer, maxLength: Int? = nil) throws {
        let inputs = pairs.map { (text: $0.text, pair: Optional($0.pair)) }
        try self.init(encodings: tokenizer.encodeBatch(inputs, maxLength: maxLength), padId: tokenizer.specialTokenIds.pad)
    }

    /// One text, or one text pair, as a batch of one.
    public init(text: String, pair: String? = nil, tokenizer: Tokenizer, maxLength: Int? = nil) throws {
        try self.init(encodings: [tokenizer.encode(text, pair: pair, maxLength: maxLength)],
                      padId: tokenizer.specialTokenIds.pad)
    }
}

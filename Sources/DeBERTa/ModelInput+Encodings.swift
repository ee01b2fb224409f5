extension ModelInput {
    /// A batch of tokenizer encodings: ids, attention masks and token types stacked row by row into
    /// `[B, N]` tensors, where `N` is the longest encoding; shorter ones are padded on the right with
    /// `padId` (pass the tokenizer's `specialTokenIds.pad`), mask 0 and token type 0, by
    /// ``Encoding/pad(to:padId:)``, the padding the tokenizers' batch encoder applies.
    ///
    /// Token types are always included; models with `type_vocab_size` 0 ignore them, as in
    /// transformers.
    ///
    /// - Throws: ``InferenceError/invalidInput(_:)`` when `encodings` is empty or all are empty.
    public init(encodings: [Encoding], padId: Int) throws {
        let length = encodings.map(\.count).max() ?? 0
        guard length > 0 else {
            throw InferenceError.invalidInput(encodings.isEmpty ? "no encodings to batch" : "every encoding is empty")
        }
        var ids: [Int] = [], mask: [Int] = [], types: [Int] = []
        ids.reserveCapacity(encodings.count * length)
        mask.reserveCapacity(encodings.count * length)
        types.reserveCapacity(encodings.count * length)
        for var encoding in encodings {
            encoding.pad(to: length, padId: padId)
            ids += encoding.inputIds
            mask += encoding.attentionMask
            types += encoding.tokenTypeIds
        }
        let shape = [encodings.count, length]
        self.init(inputIds: IndexTensor(ids, shape: shape), attentionMask: IndexTensor(mask, shape: shape),
                  tokenTypeIds: IndexTensor(types, shape: shape))
    }

    /// Encodes `texts` as `[CLS] text [SEP]` with `tokenizer` (in parallel) and batches them, padded
    /// to the longest with the tokenizer's `[PAD]`.
    ///
    /// - Parameters:
    ///   - texts: the texts of the batch, in order.
    ///   - tokenizer: the model's tokenizer; its `[PAD]` pads.
    ///   - maxLength: when given, longer inputs are truncated to this many tokens (special tokens
    ///     included).
    /// - Throws: ``InferenceError/invalidInput(_:)`` for an empty list, or the tokenizer's error.
    public init(texts: [String], tokenizer: Tokenizer, maxLength: Int? = nil) throws {
        try self.init(encodings: tokenizer.encodeBatch(texts, maxLength: maxLength, padding: .longest),
                      padId: tokenizer.specialTokenIds.pad)
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
        try self.init(encodings: tokenizer.encodeBatch(inputs, maxLength: maxLength, padding: .longest),
                      padId: tokenizer.specialTokenIds.pad)
    }

    /// One text, or one text pair, as a batch of one.
    public init(text: String, pair: String? = nil, tokenizer: Tokenizer, maxLength: Int? = nil) throws {
        try self.init(encodings: [tokenizer.encode(text, pair: pair, maxLength: maxLength)],
                      padId: tokenizer.specialTokenIds.pad)
    }
}

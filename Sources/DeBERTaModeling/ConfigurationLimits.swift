import Foundation
import DeBERTaTensors

/// The bounds a configuration's sizes must respect, checked before any tensor is made: a hostile or
/// corrupt `config.json` must end in an error naming the field, never in a crash (a negative extent,
/// an overflowing product) or in the allocator's out-of-memory stop.
extension DeBERTaConfiguration {
    /// The largest id a 32-bit index tensor holds: token, token-type and position ids are `Int32`.
    public static let largestIndex = Int(Int32.max)

    /// The largest relative span: the relative index `bucket + span` and `2 · span − 1` are `Int32`.
    public static let largestRelativeSpan = 1 << 30

    /// Checks every size field on its own and against the others (`validate(file:)` calls it first).
    func validateSizes(file: String) throws {
        func fail(_ m: String) throws -> Never { throw ModelError.file(file, m) }
        func atLeast(_ value: Int, _ minimum: Int, _ field: String, _ why: String = "") throws {
            if value < minimum { try fail("\(field) \(value) must be at least \(minimum)\(why)") }
        }
        func atMost(_ value: Int, _ maximum: Int, _ field: String, _ why: String) throws {
            if value > maximum { try fail("\(field) \(value) exceeds \(maximum) (\(why))") }
        }
        try atLeast(vocabSize, 1, "vocab_size")
        try atMost(vocabSize, Self.largestIndex, "vocab_size", "token ids are 32-bit")
        try atLeast(hiddenSize, 1, "hidden_size")
        try atLeast(numHiddenLayers, 0, "num_hidden_layers")
        try atLeast(numAttentionHeads, 1, "num_attention_heads")
        if let attentionHeadSize { try atLeast(attentionHeadSize, 1, "attention_head_size") }
        try atLeast(intermediateSize, 1, "intermediate_size")
        try atLeast(maxPositionEmbeddings, positionBiasedInput ? 1 : 0, "max_position_embeddings",
                    positionBiasedInput ? " when position_biased_input is true" : "")
        try atMost(maxPositionEmbeddings, Self.largestIndex, "max_position_embeddings", "position ids are 32-bit")
        try atLeast(typeVocabSize, 0, "type_vocab_size")
        try atMost(typeVocabSize, Self.largestIndex, "type_vocab_size", "token type ids are 32-bit")
        if let embeddingSize { try atLeast(embeddingSize, 1, "embedding_size") }
        if let poolerHiddenSize { try atLeast(poolerHiddenSize, 1, "pooler_hidden_size") }
        if let numLabels { try atLeast(numLabels, 0, "num_labels") }
        try atLeast(convKernelSize, 0, "conv_kernel_size")
        if convKernelSize > 0 { try atLeast(convGroups, 1, "conv_groups", " when conv_kernel_size > 0") }
        if padTokenId < -vocabSize || padTokenId >= vocabSize {
            try fail("pad_token_id \(padTokenId) is not a row of the \(vocabSize)-row word embedding table")
        }
        if let attentionHeadSize {
            let (width, overflow) = numAttentionHeads.multipliedReportingOverflow(by: attentionHeadSize)
            if overflow || width != hiddenSize {
                try fail("num_attention_heads × attention_head_size (\(numAttentionHeads) × \(attentionHeadSize)) must equal hidden_size \(hiddenSize)")
            }
        } else if hiddenSize % numAttentionHeads != 0 {
            try fail("num_attention_heads × head size must equal hidden_size: hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)")
        }
        if relativeAttention {
            try atMost(relativeSpan, Self.largestRelativeSpan, positionBuckets > 0 ? "position_buckets" : "max_relative_positions",
                       "relative indices are 32-bit")
            if positionBuckets > 0 {
                // make_log_bucket_position divides by buckets / 2 and by log((max_position − 1) / (buckets / 2)),
                // in float32 as RelativePosition.bucket does: a zero there makes an infinite bucket.
                try atLeast(positionBuckets, 2, "position_buckets", " (or ≤ 0 to turn bucketing off)")
                let maximum = resolvedMaxRelativePositions, half = positionBuckets / 2
                let divisor = log(Float(Double(maximum - 1) / Double(half)))
                if divisor == 0 || divisor.isNaN {
                    try fail("position_buckets \(positionBuckets) with max_relative_positions (else max_position_embeddings) \(maximum): log-bucketing divides by log((\(maximum) − 1) / \(half)), which is 0")
                }
            }
        }
        for (field, p) in [("hidden_dropout_prob", hiddenDropoutProb), ("attention_probs_dropout_prob", attentionProbsDropoutProb),
                           ("pooler_dropout", poolerDropout), ("cls_dropout", clsDropout ?? 0)]
        where !(p >= 0 && p < 1) {
            try fail("\(field) \(p) must be in [0, 1)")
        }
        if !(layerNormEps >= 0 && layerNormEps.isFinite) { try fail("layer_norm_eps \(layerNormEps) must be a finite value ≥ 0") }
        if !(initializerRange >= 0 && initializerRange.isFinite) { try fail("initializer_range \(initializerRange) must be a finite value ≥ 0") }
    }

    /// Checks that `head` fits this configuration (a classifier needs at least one label) and that
    /// the parameters with the head fit in memory; the model's initialiser calls it before building.
    public func validate(head: HeadKind, file: String = "configuration") throws {
        switch head {
        case .sequenceClassification(let n), .tokenClassification(let n):
            if n < 1 { throw ModelError.file(file, "num_labels \(n) must be at least 1 for a \(head.architecture(v1: isV1)) head") }
        default:
            break
        }
        try checkParameterMemory(head: head, file: file)
    }

    /// The number of float32 parameters a model with this configuration and `head` has (nil: the
    /// encoder and embeddings only), computed in overflow-checked arithmetic from the sizes, before
    /// anything is allocated: exact for a model built with the default layout (v1's fused attention
    /// for `model_type` `deberta`, the absolute position table kept), an upper bound otherwise.
    /// `largest` names the biggest term and the fields it comes from.
    ///
    /// Requires sizes that passed `validate(file:)`; throws when a product overflows.
    public func parameterCount(head: HeadKind? = nil, file: String = "configuration") throws -> (count: Int, largest: String) {
        var total = 0
        var largest = (count: 0, what: "")
        func add(_ what: String, _ factors: Int...) throws {
            var count = 1
            for f in factors {
                let (p, overflow) = count.multipliedReportingOverflow(by: f)
                if overflow { throw ModelError.file(file, "\(what) overflows a 64-bit integer (\(factors.map(String.init).joined(separator: " × ")))") }
                count = p
            }
            let (sum, overflow) = total.addingReportingOverflow(count)
            if overflow { throw ModelError.file(file, "the parameter count overflows a 64-bit integer at \(what)") }
            total = sum
            if count > largest.count { largest = (count, "\(what) = \(factors.map(String.init).joined(separator: " × ")) values") }
        }
        let h = hiddenSize, e = resolvedEmbeddingSize, a = numAttentionHeads * headSize
        try add("vocab_size × embedding_size (word embeddings)", vocabSize, e)
        try add("max_position_embeddings × embedding_size (position embeddings)", maxPositionEmbeddings, e)
        try add("type_vocab_size × embedding_size (token type embeddings)", typeVocabSize, e)
        if e != h { try add("embedding_size × hidden_size (embedding projection)", e, h) }
        try add("2 × hidden_size (embedding LayerNorm)", 2, h)
        // One layer, counted apart so that a huge layer count names num_hidden_layers.
        var layer = 0
        func layerAdd(_ factors: Int...) throws {
            var count = 1
            for f in factors {
                let (p, overflow) = count.multipliedReportingOverflow(by: f)
                if overflow { throw ModelError.file(file, "a layer's size overflows a 64-bit integer (\(factors.map(String.init).joined(separator: " × ")))") }
                count = p
            }
            let (sum, overflow) = layer.addingReportingOverflow(count)
            if overflow { throw ModelError.file(file, "a layer's size overflows a 64-bit integer") }
            layer = sum
        }
        if isV1 {
            try layerAdd(3, a, h)  // in_proj [3A, H]
            try layerAdd(2, a)  // q_bias, v_bias
            if usesC2P { try layerAdd(a, h) }  // pos_proj, no bias
            if usesP2C { try layerAdd(a, h + 1) }  // pos_q_proj
        } else {
            let positionProjections = relativeAttention && !shareAttKey ? (usesC2P ? 1 : 0) + (usesP2C ? 1 : 0) : 0
            try layerAdd(3 + positionProjections, a, h + 1)  // query, key, value (and position) projections
        }
        try layerAdd(h, a + 1)  // attention output
        try layerAdd(intermediateSize, h + 1)  // intermediate
        try layerAdd(h, intermediateSize + 1)  // output
        try layerAdd(4, h)  // two LayerNorms
        try add("num_hidden_layers × the parameters of one layer", numHiddenLayers, layer)
        if relativeAttention {
            try add("2 × relative span × hidden_size (relative embeddings)", 2, relativeSpan, h)
            if normalizesRelativeEmbeddings { try add("2 × hidden_size (relative embedding LayerNorm)", 2, h) }
        }
        if convKernelSize > 0 {
            try add("hidden_size × hidden_size / conv_groups × conv_kernel_size (convolution)", h, h / max(convGroups, 1), convKernelSize)
            try add("3 × hidden_size (convolution bias and LayerNorm)", 3, h)
        }
        let pooled = poolerHiddenSize ?? h
        switch head {
        case nil, .encoderOnly?:
            break
        case .questionAnswering?:
            try add("2 × hidden_size (question answering outputs)", 2, h + 1)
        case .sequenceClassification(let n)?:
            try add("pooler_hidden_size × hidden_size (pooler)", pooled, h + 1)
            try add("num_labels × pooler_hidden_size (classifier)", max(n, 0), pooled + 1)
        case .tokenClassification(let n)?:
            try add("num_labels × hidden_size (classifier)", max(n, 0), h + 1)
        case .multipleChoice?:
            try add("pooler_hidden_size × hidden_size (pooler)", pooled, h + 1)
            try add("pooler_hidden_size (choice classifier)", pooled + 1)
        case .maskedLM?:
            try add("embedding_size × hidden_size (masked-LM transform)", e, h + 3)
            try add("vocab_size (masked-LM bias)", vocabSize)
        case .replacedTokenDetection?:
            try add("hidden_size × hidden_size (replaced-token dense)", h, h + 1)
            try add("hidden_size (replaced-token classifier)", h + 1)
            try add("2 × hidden_size (replaced-token LayerNorm)", 2, h)
        }
        return (total, largest.what)
    }

    /// Throws when the float32 parameters of a model with this configuration and `head` would not
    /// fit in `availableBytes` (default: this machine's physical memory), naming the largest term,
    /// so that an absurd size is an error before the allocator is asked for it.
    public func checkParameterMemory(head: HeadKind? = nil, file: String = "configuration",
                                     availableBytes: UInt64 = ProcessInfo.processInfo.physicalMemory) throws {
        let (count, largest) = try parameterCount(head: head, file: file)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        if overflow || UInt64(bytes) > availableBytes {
            throw ModelError.file(file, "the model's parameters would need \(overflow ? "more than \(Int.max)" : "\(bytes)") bytes, more than this machine's \(availableBytes) bytes of memory; the largest part is \(largest)")
        }
    }
}

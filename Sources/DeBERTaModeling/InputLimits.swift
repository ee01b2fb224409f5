import Foundation
import DeBERTaTensors

/// Bounds on the work one forward pass may be asked for, checked before anything is computed:
/// attention is quadratic in the sequence length, so a 20,000-token input would run for minutes
/// (or exhaust memory) instead of failing.
extension DeBERTaModel {
    /// The default of ``maxSequenceLength`` for `configuration`: `max_position_embeddings`, the
    /// length the model was trained with, which tokenizers truncate to (`model_max_length`) and the
    /// rows of the absolute position table that position-biased inputs and the Enhanced Mask Decoder
    /// read. A relative-attention model whose configuration has no absolute positions
    /// (`max_position_embeddings` 0) gets twice its relative span, the distances it tells apart.
    public static func defaultMaxSequenceLength(_ c: DeBERTaConfiguration) -> Int {
        if c.maxPositionEmbeddings > 0 || c.positionBiasedInput { return c.maxPositionEmbeddings }
        return c.relativeAttention ? 2 * c.relativeSpan : 512
    }

    /// The longest sequence a pass accepts now: ``maxSequenceLength``, capped at
    /// `max_position_embeddings` when `position_biased_input` (the position table has no more rows).
    public var effectiveMaxSequenceLength: Int {
        configuration.positionBiasedInput ? min(maxSequenceLength, configuration.maxPositionEmbeddings) : maxSequenceLength
    }

    /// Refuses inputs that would make the pass run unboundedly long or past this machine's memory:
    /// sequences longer than ``effectiveMaxSequenceLength``, and batches whose attention scores of
    /// one layer (`batch × heads × length²` float32 values) alone would not fit in memory.
    func checkInputBounds(_ input: ModelInput, availableBytes: UInt64 = ProcessInfo.processInfo.physicalMemory) throws {
        let shape = input.inputIds.shape
        guard let length = shape.last, shape.count >= 2 else { return }  // the shape itself is checked by the pass
        let limit = effectiveMaxSequenceLength
        if length > limit {
            let why = configuration.positionBiasedInput
                ? "max_position_embeddings of this position-biased model"
                : "the model's maximum sequence length (max_position_embeddings; raise maxSequenceLength to allow more)"
            throw ModelError.input("sequence length \(length) exceeds \(limit), \(why)")
        }
        var scores = configuration.numAttentionHeads
        var overflow = false
        for factor in shape.dropLast() + [length, length, MemoryLayout<Float>.stride] where !overflow {
            (scores, overflow) = scores.multipliedReportingOverflow(by: factor)
        }
        if overflow || UInt64(scores) > availableBytes {
            throw ModelError.input("a batch of shape \(shape) needs \(overflow ? "more than \(Int.max)" : "\(scores)") bytes for one layer's attention scores (\(configuration.numAttentionHeads) heads), more than this machine's \(availableBytes) bytes of memory")
        }
    }

    /// The Enhanced Mask Decoder reads absolute positions `0..<N` (or the given ones) from the
    /// `max_position_embeddings`-row table: longer sequences have no row to read.
    func checkDecoderPositions(_ input: ModelInput) throws {
        let length = input.inputIds.shape.last ?? 0
        if input.positionIds == nil && length > configuration.maxPositionEmbeddings {
            throw ModelError.input("sequence length \(length) exceeds max_position_embeddings \(configuration.maxPositionEmbeddings), the rows of the position table the Enhanced Mask Decoder reads")
        }
    }
}

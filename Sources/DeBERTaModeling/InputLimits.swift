import Foundation
import DeBERTaTensors

/// Bounds on the work one forward pass may be asked for, checked before anything is computed:
/// attention is quadratic in the sequence length, so a 20,000-token input would run for minutes
/// (or exhaust memory) instead of failing.
extension DeBERTaModel {
    /// The default of ``maxSequenceLength`` for relative-attention (not position-biased) models
    /// trained on shorter sequences: such models run on longer inputs (relative distances are
    /// bucketed or clamped), but attention's cost grows with the square of the length.
    public static let relativeSequenceLengthCap = 4096

    /// The default of ``maxSequenceLength`` for `configuration`: `max_position_embeddings` for a
    /// position-biased model (its absolute position table has no more rows), else the larger of
    /// `max_position_embeddings` and ``relativeSequenceLengthCap``.
    public static func defaultMaxSequenceLength(_ c: DeBERTaConfiguration) -> Int {
        c.positionBiasedInput ? c.maxPositionEmbeddings : max(c.maxPositionEmbeddings, relativeSequenceLengthCap)
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
                : "the model's maxSequenceLength (raise it to allow longer sequences)"
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

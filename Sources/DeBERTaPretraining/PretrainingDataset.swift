import DeBERTaPythonCompat
import DeBERTaModeling
import Foundation
import DeBERTaTensors
import DeBERTaTokenizers
import DeBERTaTraining

/// One pretraining example after truncation and masking.
public struct PretrainingSample: Sendable, Equatable {
    /// `[CLS] pieces [SEP]` as ids, masked.
    public var inputIds: [Int32]
    /// Original ids of the tokens to predict; 0 elsewhere.
    public var labels: [Int32]
}

/// The original `DynamicDataset` over a prepared file (PRETRAINING.md §1): sample `k` reads example
/// `order[k mod size] mod examples` with its own `random.Random(k)`, which truncates the pieces to
/// `max_seq_len − 2` (front/back at random) and draws the mask. Samples are therefore a pure function
/// of their index: masks change each time an example is revisited, a run can resume at any sample,
/// and nothing depends on batch composition or threads.
public final class PretrainingDataset: @unchecked Sendable {
    public let corpus: PreparedCorpus
    public let vocabulary: PieceVocabulary
    public let masker: NGramMaskGenerator
    public let maxSequenceLength: Int
    /// Number of samples (`num_training_steps × train_batch_size` for training).
    public let size: Int
    /// The sample order: numpy's `RandomState(0)` shuffle of `0..<size`, or nil for the identity
    /// (evaluation data).
    let order: [UInt32]?

    public init(corpus: PreparedCorpus, vocabulary: PieceVocabulary, masker: NGramMaskGenerator,
                maxSequenceLength: Int, size: Int? = nil, shuffled: Bool) throws {
        guard maxSequenceLength >= 3 else { throw PretrainingError.invalidOption("--max_seq_len \(maxSequenceLength) must be at least 3") }
        self.corpus = corpus
        self.vocabulary = vocabulary
        self.masker = masker
        self.maxSequenceLength = maxSequenceLength
        self.size = size ?? corpus.count
        guard self.size > 0 else { throw PretrainingError.invalidOption("a data set needs at least one sample") }
        order = shuffled ? NumpyShuffle.permutation(count: self.size, seed: 0) : nil
    }

    /// The example sample `k` reads.
    public func exampleIndex(ofSample k: Int) -> Int {
        let slot = k % size
        return Int(order.map { Int($0[slot]) } ?? slot) % corpus.count
    }

    /// Sample `k`.
    public func sample(_ k: Int) throws -> PretrainingSample {
        var random = PythonRandom(seed: k)
        var segments = [try corpus.pieces(exampleIndex(ofSample: k))]
        SegmentTruncation.original(&segments, budget: maxSequenceLength - 2, random: &random)
        let tokens = ["[CLS]"] + segments[0] + ["[SEP]"]
        let masked = masker.mask(tokens, vocabulary: vocabulary, random: &random)
        return PretrainingSample(inputIds: masked.inputIds, labels: masked.labels)
    }

    /// Samples `indices`, right-padded with `[PAD]` to the longest of them.
    public func batch(_ indices: [Int]) throws -> PretrainingBatch {
        PretrainingBatch(samples: try indices.map { try sample($0) }, sampleIndices: indices, padId: vocabulary.padId)
    }
}

/// A batch of pretraining samples as model inputs.
public struct PretrainingBatch: ChunkableBatch {
    /// Global index of every row's sample (keys the replacement sampling).
    public var sampleIndices: [Int]
    /// `input_ids`, `input_mask` (1 on real tokens) and default positions, `[B, W]`.
    public var input: ModelInput
    /// Targets `[B, W]`: original ids at the positions to predict, 0 elsewhere (pad included).
    public var labels: [Int32]
    /// Padded width `W`.
    public var width: Int

    /// Pads `samples` with `padId` to the longest. The original pads to `max_seq_len`; attention
    /// masks out the padding, so real positions compute the same values either way.
    public init(samples: [PretrainingSample], sampleIndices: [Int], padId: Int32) {
        precondition(samples.count == sampleIndices.count && !samples.isEmpty)
        let padded = PaddedBatch(samples.map(\.inputIds), padId: padId)
        let shape = [padded.rows, padded.columns]
        self.sampleIndices = sampleIndices
        input = ModelInput(inputIds: IndexTensor(padded.inputIds, shape: shape), attentionMask: IndexTensor(padded.attentionMask, shape: shape))
        labels = padded.aligned(samples.map(\.labels), padding: 0)
        width = padded.columns
    }

    init(sampleIndices: [Int], input: ModelInput, labels: [Int32], width: Int) {
        self.sampleIndices = sampleIndices
        self.input = input
        self.labels = labels
        self.width = width
    }

    /// Number of rows.
    public var rowCount: Int { sampleIndices.count }

    /// Flat positions (`row · W + column`) with a target.
    public var maskedPositions: [Int] { labels.indices.filter { labels[$0] > 0 } }

    /// The targets at ``maskedPositions``.
    public var targets: [Int32] { labels.filter { $0 > 0 } }

    /// The same batch with other input ids (the discriminator's input).
    public func replacingInputIds(_ ids: [Int32]) -> PretrainingBatch {
        PretrainingBatch(sampleIndices: sampleIndices,
                         input: ModelInput(inputIds: IndexTensor(ids, shape: input.inputIds.shape), attentionMask: input.attentionMask),
                         labels: labels, width: width)
    }

    /// Rows `range` (the chunks of `--accumulative_update`).
    public func rows(_ range: Range<Int>) -> PretrainingBatch {
        PretrainingBatch(sampleIndices: Array(sampleIndices[range]),
                         input: ModelInput(inputIds: input.inputIds.rows(range), attentionMask: input.attentionMask!.rows(range)),
                         labels: Array(labels[(range.lowerBound * width)..<(range.upperBound * width)]), width: width)
    }
}

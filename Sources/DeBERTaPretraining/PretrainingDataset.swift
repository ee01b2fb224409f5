import DeBERTaPythonCompat
import DeBERTaModeling
import Foundation
import DeBERTaTensors
import DeBERTaTokenizers

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

    /// Samples `indices`, right-padded with 0 to the longest of them.
    public func batch(_ indices: [Int]) throws -> PretrainingBatch {
        PretrainingBatch(samples: try indices.map { try sample($0) }, sampleIndices: indices)
    }
}

/// A batch of pretraining samples as model inputs.
public struct PretrainingBatch {
    /// Global index of every row's sample (keys the replacement sampling).
    public var sampleIndices: [Int]
    /// `input_ids`, `input_mask` (1 on real tokens) and default positions, `[B, W]`.
    public var input: ModelInput
    /// Targets `[B, W]`: original ids at the positions to predict, 0 elsewhere (pad included).
    public var labels: [Int32]
    /// Padded width `W`.
    public var width: Int

    /// Pads `samples` to the longest. The original pads to `max_seq_len`; attention masks out the
    /// padding, so real positions compute the same values either way.
    public init(samples: [PretrainingSample], sampleIndices: [Int]) {
        precondition(samples.count == sampleIndices.count && !samples.isEmpty)
        let w = samples.map(\.inputIds.count).max()!
        var ids = [Int32](repeating: 0, count: samples.count * w)
        var mask = ids, labels = ids
        for (r, s) in samples.enumerated() {
            for (c, id) in s.inputIds.enumerated() {
                ids[r * w + c] = id
                mask[r * w + c] = 1
                labels[r * w + c] = s.labels[c]
            }
        }
        self.sampleIndices = sampleIndices
        input = ModelInput(inputIds: IndexTensor(ids, shape: [samples.count, w]), attentionMask: IndexTensor(mask, shape: [samples.count, w]))
        self.labels = labels
        width = w
    }

    init(sampleIndices: [Int], input: ModelInput, labels: [Int32], width: Int) {
        self.sampleIndices = sampleIndices
        self.input = input
        self.labels = labels
        self.width = width
    }

    /// Number of rows.
    public var count: Int { sampleIndices.count }

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
        let w = width
        func slice(_ v: [Int32]) -> [Int32] { Array(v[(range.lowerBound * w)..<(range.upperBound * w)]) }
        return PretrainingBatch(sampleIndices: Array(sampleIndices[range]),
                                input: ModelInput(inputIds: IndexTensor(slice(input.inputIds.values), shape: [range.count, w]),
                                                  attentionMask: IndexTensor(slice(input.attentionMask!.values), shape: [range.count, w])),
                                labels: slice(labels), width: w)
    }

    /// The batch split into `n` row ranges of `ceil(B / n)` rows, as ``TrainingBatch/chunks(_:)``.
    public func chunks(_ n: Int) -> [PretrainingBatch] {
        let per = max((count + max(n, 1) - 1) / max(n, 1), 1)
        return stride(from: 0, to: count, by: per).map { rows($0..<min($0 + per, count)) }
    }
}

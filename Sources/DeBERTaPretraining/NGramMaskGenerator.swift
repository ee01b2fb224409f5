import DeBERTaPythonCompat
import Foundation
import DeBERTaTokenizers

/// The original `NGramMaskGenerator` (PRETRAINING.md §2): picks about one whole-word n-gram per
/// window of `maskWindow` units until `numToPredict` tokens are labelled, then replaces each selected
/// token by `[MASK]` (probability `maskProbability`), keeps it (`keepProbability`) or puts a random
/// vocabulary token there (the rest). All randomness comes from the per-sample `PythonRandom`,
/// consumed exactly as the Python code does, so a sample's mask is a function of its index.
public struct NGramMaskGenerator: Sendable {
    /// Fraction of tokens to predict (0.15).
    public let maskLMProbability: Double
    /// Cap on the labelled tokens per sequence: `ceil(max_seq_len · 0.15 / 10) · 10` by default.
    public let maxPredictionsPerSequence: Int
    /// Longest n-gram (`--max_ngram`); above 1, word pieces are grouped into whole words.
    public let maxGram: Int
    public let maskProbability: Double
    public let keepProbability: Double
    /// `int(1 / maskLMProbability)` units per selection window (6).
    public let maskWindow: Int
    /// Cumulative n-gram probabilities, P(n) ∝ 1/n, as numpy computes them.
    let cumulative: [Double]

    /// - Parameters:
    ///   - maxSequenceLength: the length the default prediction cap is computed from (the original
    ///     MLM task leaves it at 512; the RTD task passes `--max_seq_len`).
    public init(maxSequenceLength: Int = 512, maxGram: Int = 1, maskProbability: Double = 0.8, keepProbability: Double = 0.1,
                maskLMProbability: Double = 0.15, maxPredictionsPerSequence: Int? = nil) throws {
        guard maskProbability >= 0, keepProbability >= 0, maskProbability + keepProbability <= 1 else {
            throw PretrainingError.invalidOption("mask probability \(maskProbability) + keep probability \(keepProbability) must lie in [0, 1]")
        }
        guard maskLMProbability > 0 && maskLMProbability < 1 else {
            throw PretrainingError.invalidOption("mask_lm_prob \(maskLMProbability) must lie in (0, 1)")
        }
        self.maskLMProbability = maskLMProbability
        self.maskProbability = maskProbability
        self.keepProbability = keepProbability
        self.maxGram = max(maxGram, 1)
        self.maxPredictionsPerSequence = maxPredictionsPerSequence
            ?? Int((Double(maxSequenceLength) * maskLMProbability / 10).rounded(.up)) * 10
        maskWindow = Int(1 / maskLMProbability)
        // pvals = 1 / arange(1, n + 1); pvals /= pvals.sum(); cumsum (sequential sums: exact for n < 8,
        // where numpy's pairwise summation is a plain loop).
        let p = (1...self.maxGram).map { 1.0 / Double($0) }
        var total = 0.0
        for v in p { total += v }
        var running = 0.0
        cumulative = p.map { v in running += v / total; return running }
    }

    /// The masked sequence: `inputIds` after replacement, `labels` the original ids of the selected
    /// tokens and 0 elsewhere.
    public struct Result: Sendable, Equatable {
        public var inputIds: [Int32]
        public var labels: [Int32]
    }

    /// Masks `tokens` (token strings incl. `[CLS]`/`[SEP]`) with `random`.
    public func mask(_ tokens: [String], vocabulary: PieceVocabulary, random: inout PythonRandom) -> Result {
        let n = tokens.count
        var ids = tokens.map { vocabulary.id($0) ?? vocabulary.unkId }
        var labels = [Int32](repeating: 0, count: n)
        var units: [[Int]] = []
        for (position, token) in tokens.enumerated() where !PieceVocabulary.specialPieces.contains(token) {
            if maxGram > 1 && !units.isEmpty && vocabulary.isPartOfWholeWord(token) {
                units[units.count - 1].append(position)
            } else {
                units.append([position])
            }
        }
        let numToPredict = min(maxPredictionsPerSequence, max(1, Int((Double(n) * maskLMProbability).rounded(.toNearestOrEven))))
        var marked = [Bool](repeating: false, count: units.count)
        var offset = 0
        while offset < units.count {
            let gram = chooseGram(&random)
            let context = min(gram * maskWindow, units.count - offset)
            let m = random.randint(0, context - 1)
            let s = offset + m, e = min(offset + m + gram, units.count)
            offset = max(offset + context, e)
            for k in s..<e { marked[k] = true }
        }
        var labelled = 0
        for (unit, isMarked) in zip(units, marked) where isMarked {
            for position in unit {
                labels[position] = ids[position]
                let x = random.random()
                if x < maskProbability {
                    ids[position] = vocabulary.maskId
                } else if x < maskProbability + keepProbability {
                    // keep the token
                } else {
                    ids[position] = Int32(random.choiceIndex(count: vocabulary.count))
                }
                labelled += 1
            }
            if labelled >= numToPredict { break }
        }
        return Result(inputIds: ids, labels: labels)
    }

    /// `_choice(rng, ngrams, pvals)`: `bisect_right(cumsum, random() · cumsum[-1]) + 1`.
    func chooseGram(_ random: inout PythonRandom) -> Int {
        let x = random.random() * cumulative[cumulative.count - 1]
        var index = 0
        while index < cumulative.count && cumulative[index] <= x { index += 1 }
        return min(index, cumulative.count - 1) + 1
    }
}

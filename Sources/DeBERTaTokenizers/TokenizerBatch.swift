import Foundation

extension Tokenizer {
    /// Encodes many texts or text pairs in parallel over all cores (`DispatchQueue.concurrentPerform`).
    ///
    /// Results are in input order and identical to calling
    /// ``encode(_:pair:maxLength:truncation:padding:addSpecialTokens:splitSpecialTokens:)`` on each
    /// input, except that `.longest` padding pads every encoding to the longest one in the batch, and
    /// `.original(seed: s)` truncation uses seed `s + k` for input `k` (the original pipeline seeds
    /// each example with its index).
    ///
    /// - Throws: the first error any input raised (see the single-input method).
    public func encodeBatch(_ inputs: [(text: String, pair: String?)], maxLength: Int? = nil,
                            truncation: TruncationStrategy = .longestFirst, padding: Padding = .none,
                            addSpecialTokens: Bool = true, splitSpecialTokens: Bool = false) throws -> [Encoding] {
        let count = inputs.count
        if count == 0 { return [] }
        if let maxLength {
            let needed = addSpecialTokens ? postProcessor.addedTokenCount(pair: inputs.contains { $0.pair != nil }) : 0
            if maxLength < needed {
                throw TokenizerError.invalidArgument("maxLength \(maxLength) is less than the \(needed) special tokens the inputs need")
            }
        }
        if case .toLength(let length) = padding, length < 0 {
            throw TokenizerError.invalidArgument("padding length \(length) is negative")
        }
        let results = BatchResults(count: count)
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunks = min(count, cores * 4)
        let itemPadding: Padding = padding == .longest ? .none : padding
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lower = chunk * count / chunks
            let upper = (chunk + 1) * count / chunks
            withWorkspace { workspace in
                for k in lower..<upper {
                    var strategy = truncation
                    if case .original(let seed) = truncation { strategy = .original(seed: seed &+ k) }
                    do {
                        let encoding = try encodeOne(inputs[k].text, pair: inputs[k].pair, maxLength: maxLength,
                                                     truncation: strategy, padding: itemPadding,
                                                     addSpecialTokens: addSpecialTokens,
                                                     splitSpecialTokens: splitSpecialTokens, workspace: workspace)
                        results.store(encoding, at: k)
                    } catch {
                        results.store(error: error, at: k)
                    }
                }
            }
        }
        var encodings = try results.collect()
        // Encodings carry offsets and sequence ids beside the ids, so they pad themselves; batches
        // of model inputs go through `padBatch` instead.
        if padding == .longest {
            let longest = encodings.map(\.count).max() ?? 0
            for k in encodings.indices { encodings[k].pad(to: longest, padId: specialTokenIds.pad) }
        }
        return encodings
    }

    /// Encodes many single texts in parallel; see the pair overload.
    public func encodeBatch(_ texts: [String], maxLength: Int? = nil, truncation: TruncationStrategy = .longestFirst,
                            padding: Padding = .none, addSpecialTokens: Bool = true,
                            splitSpecialTokens: Bool = false) throws -> [Encoding] {
        try encodeBatch(texts.map { (text: $0, pair: nil) }, maxLength: maxLength, truncation: truncation, padding: padding,
                        addSpecialTokens: addSpecialTokens, splitSpecialTokens: splitSpecialTokens)
    }
}

extension Tokenizer {
    /// `sequences` right-padded with this tokenizer's `[PAD]` id to the longest of them.
    public func padBatch(_ sequences: [[Int32]]) -> PaddedBatch {
        PaddedBatch(sequences, padId: Int32(specialTokenIds.pad))
    }
}

/// Slots written by distinct threads at distinct indices.
private final class BatchResults: @unchecked Sendable {
    private let encodings: UnsafeMutablePointer<Encoding?>
    private let errors: UnsafeMutablePointer<(any Error)?>
    private let count: Int

    init(count: Int) {
        self.count = count
        encodings = .allocate(capacity: count)
        encodings.initialize(repeating: nil, count: count)
        errors = .allocate(capacity: count)
        errors.initialize(repeating: nil, count: count)
    }

    deinit {
        encodings.deinitialize(count: count)
        encodings.deallocate()
        errors.deinitialize(count: count)
        errors.deallocate()
    }

    func store(_ encoding: Encoding, at index: Int) { encodings[index] = encoding }
    func store(error: any Error, at index: Int) { errors[index] = error }

    func collect() throws -> [Encoding] {
        var out: [Encoding] = []
        out.reserveCapacity(count)
        for k in 0..<count {
            if let error = errors[k] { throw error }
            out.append(encodings[k]!)
        }
        return out
    }
}

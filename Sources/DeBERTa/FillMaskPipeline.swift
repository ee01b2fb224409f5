import Foundation

extension FillMask {
    /// The ids of transformers' `targets`: a token of the vocabulary as it is (`▁Paris`), otherwise
    /// the first id of its encoding (transformers warns and does the same); duplicates once, in id order.
    /// - Throws: ``InferenceError/invalidInput(_:)`` when no target gives an id.
    public func targetIds(_ targets: [String]) throws -> [Int] {
        var ids = Set<Int>()
        for target in targets {
            if let id = tokenizer.id(for: target) { ids.insert(id); continue }
            if let first = try tokenizer.encode(target, pair: nil, addSpecialTokens: false).inputIds.first { ids.insert(first) }
        }
        guard !ids.isEmpty else { throw InferenceError.invalidInput("none of the targets \(targets) is a token of the vocabulary") }
        return ids.sorted()
    }

    /// The answer of transformers' `fill-mask` pipeline: for one `[MASK]` a list of
    /// `{score, token, token_str, sequence}` best first, for several a list of such lists (their
    /// sequences keep the special tokens, as transformers decodes them).
    ///
    /// - Parameters:
    ///   - topK: candidates per mask (at most the number of targets).
    ///   - targets: restrict the candidates to these tokens; their scores stay the probabilities
    ///     of the softmax over the whole vocabulary.
    public func pipeline(_ text: String, topK: Int = 5, targets: [String]? = nil) throws -> PipelineJSON {
        let ids = try tokenizer.encode(text, pair: nil, splitSpecialTokens: true).inputIds
        let (positions, rows) = try maskProbabilities(ids: ids)
        let candidates = try targets.map(targetIds) ?? Array(0..<(rows.first?.count ?? 0))
        let count = min(max(topK, 1), candidates.count)
        let single = positions.count == 1
        let pad = tokenizer.specialTokenIds.pad
        let answers = zip(positions, rows).map { position, probabilities -> PipelineJSON in
            let best = candidates.sorted { probabilities[$0] != probabilities[$1] ? probabilities[$0] > probabilities[$1] : $0 < $1 }.prefix(count)
            return .array(best.map { id in
                var filled = ids
                filled[position] = id
                let sequence = tokenizer.decode(filled.filter { $0 != pad }, skipSpecialTokens: single)
                return .object([("score", .number(probabilities[id])), ("token", .int(id)),
                                ("token_str", .string(tokenizer.decode([id]))), ("sequence", .string(sequence))])
            })
        }
        return single ? answers[0] : .array(answers)
    }
}

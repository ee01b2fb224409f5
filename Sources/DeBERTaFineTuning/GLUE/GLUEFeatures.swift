import DeBERTaTraining
import DeBERTaPythonCompat
import DeBERTaModeling
import DeBERTaGLUE
import DeBERTaTokenizers

/// One example as model input: `[CLS] A [SEP] (B [SEP])`, with token types and its label.
public struct GLUEFeature: Sendable {
    public var inputIds: [Int32]
    public var tokenTypeIds: [Int32]
    public var label: LabelValue?
}

/// Feature construction as the original app does it (GLUE.md §3): each segment tokenized without
/// special tokens, over-long pairs cut one token at a time from the longer segment, front or back
/// at random with `random.Random(example_index)` (the longer segment then comes first, as in the
/// original), then `[CLS] A [SEP] B [SEP]` with type ids 0 … 0 1 … 1.
public enum GLUEFeatures {
    public static func make(_ examples: [GLUEExample], tokenizer: Tokenizer, maxSequenceLength: Int) throws -> [GLUEFeature] {
        let texts = examples.flatMap { [$0.textA] + ($0.textB.map { [$0] } ?? []) }
        let encoded = try tokenizer.encodeBatch(texts, addSpecialTokens: false)
        var cursor = 0
        let cls = Int32(tokenizer.specialTokenIds.cls), sep = Int32(tokenizer.specialTokenIds.sep)
        return try examples.enumerated().map { index, example in
            var segments: [[Int32]] = [encoded[cursor].inputIds.map { Int32($0) }]
            cursor += 1
            if example.textB != nil {
                segments.append(encoded[cursor].inputIds.map { Int32($0) })
                cursor += 1
            }
            var rng = PythonRandom(seed: index)
            let budget = maxSequenceLength - segments.count - 1
            guard budget >= 0 else { throw ModelError.input("max_seq_len \(maxSequenceLength) leaves no room for the special tokens") }
            SegmentTruncation.original(&segments, budget: budget, random: &rng)
            var ids: [Int32] = [cls], types: [Int32] = [0]
            for (k, segment) in segments.enumerated() {
                ids += segment + [sep]
                types += [Int32](repeating: Int32(k), count: segment.count + 1)
            }
            return GLUEFeature(inputIds: ids, tokenTypeIds: types, label: example.label)
        }
    }
}

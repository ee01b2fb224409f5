/// Entity-level precision, recall and F1 of tagged sentences, as seqeval 1.2.2 computes them in
/// its default mode (`seqeval.metrics.f1_score(y_true, y_pred)`, micro average), which is the
/// chunking of conlleval: IOB1 and IOB2 tags score alike, an `I-` after `O` or after another type
/// starts an entity, `B-` always starts one; `E-`/`S-` (IOBES) follow seqeval's rules.
///
/// An entity is a (type, first word, last word) triple; a predicted entity counts when the gold
/// tags hold the same triple. The original DeBERTa NER task reports these metrics through seqeval.
public enum EntityMetrics {
    /// An entity: its type (`PER`) and its words `start...end`, counted over the sentences laid end
    /// to end with one `O` between them (as seqeval lays them out).
    public struct Entity: Hashable, Sendable {
        public var type: String
        public var start: Int
        public var end: Int
    }

    /// The counts and scores of one comparison.
    public struct Scores: Equatable, Sendable {
        /// Entities found in both.
        public var correct: Int
        /// Predicted entities.
        public var predicted: Int
        /// Gold entities.
        public var gold: Int
        /// Words with the right tag.
        public var correctTags: Int
        /// Words.
        public var words: Int

        /// correct / predicted (0 without predictions, as seqeval).
        public var precision: Double { predicted == 0 ? 0 : Double(correct) / Double(predicted) }
        /// correct / gold (0 without gold entities, as seqeval).
        public var recall: Double { gold == 0 ? 0 : Double(correct) / Double(gold) }
        /// 2PR / (P + R), 0 when both are 0 — in seqeval's order of operations, so equal to the bit.
        public var f1: Double {
            let p = precision, r = recall
            let denominator = p + r
            return 2 * p * r / (denominator == 0 ? 1 : denominator)
        }
        /// The fraction of words tagged right (seqeval's `accuracy_score`).
        public var accuracy: Double { words == 0 ? 0 : Double(correctTags) / Double(words) }
    }

    /// Compares `predicted` with `gold`, sentence by sentence.
    /// - Throws: when the two differ in their number of sentences or of words in a sentence.
    public static func score(gold: [[String]], predicted: [[String]]) throws -> Scores {
        guard gold.count == predicted.count else {
            throw EntityMetricsError(message: "\(predicted.count) predicted sentences for \(gold.count) gold ones")
        }
        if let k = gold.indices.first(where: { gold[$0].count != predicted[$0].count }) {
            throw EntityMetricsError(message: "sentence \(k): \(predicted[k].count) predicted tags for \(gold[k].count) words")
        }
        let truth = Set(entities(gold)), guess = Set(entities(predicted))
        var correctTags = 0
        for (g, p) in zip(gold, predicted) { correctTags += zip(g, p).filter { $0 == $1 }.count }
        return Scores(correct: truth.intersection(guess).count, predicted: guess.count, gold: truth.count,
                      correctTags: correctTags, words: gold.reduce(0) { $0 + $1.count })
    }

    /// The entities of `sentences` laid end to end, each followed by an `O` (seqeval's layout).
    public static func entities(_ sentences: [[String]]) -> [Entity] {
        entities(in: sentences.flatMap { $0 + ["O"] })
    }

    /// The entities of one tag sequence (seqeval's `get_entities`).
    public static func entities(in tags: [String]) -> [Entity] {
        var chunks: [Entity] = []
        var previous: (tag: Character, type: Substring) = ("O", "_")
        var begin = 0
        for (i, chunk) in (tags + ["O"]).enumerated() {
            let current = parse(chunk)
            if endOfChunk(previous, current) { chunks.append(Entity(type: String(previous.type), start: begin, end: i - 1)) }
            if startOfChunk(previous, current) { begin = i }
            previous = current
        }
        return chunks
    }

    /// The tag letter and the type of `chunk`: `B-PER` → (B, PER); `O` → (O, _), as seqeval's
    /// `chunk[0]` and `chunk[1:].split('-', 1)[-1] or '_'`.
    static func parse(_ chunk: String) -> (tag: Character, type: Substring) {
        guard let first = chunk.unicodeScalars.first else { return ("O", "_") }
        let rest = chunk.unicodeScalars.dropFirst()
        let afterDash = rest.firstIndex(of: "-").map { rest[rest.index(after: $0)...] } ?? rest
        let type = Substring(afterDash)
        return (Character(first), type.isEmpty ? "_" : type)
    }

    static func endOfChunk(_ previous: (tag: Character, type: Substring), _ current: (tag: Character, type: Substring)) -> Bool {
        let p = previous.tag, t = current.tag
        if p == "E" || p == "S" { return true }
        if (p == "B" || p == "I") && (t == "B" || t == "S" || t == "O") { return true }
        return p != "O" && p != "." && previous.type != current.type
    }

    static func startOfChunk(_ previous: (tag: Character, type: Substring), _ current: (tag: Character, type: Substring)) -> Bool {
        let p = previous.tag, t = current.tag
        if t == "B" || t == "S" { return true }
        if (p == "E" || p == "S" || p == "O") && (t == "E" || t == "I") { return true }
        return t != "O" && t != "." && previous.type != current.type
    }
}

/// Tag sequences that cannot be compared.
public struct EntityMetricsError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { "entity metrics: \(message)" }
}

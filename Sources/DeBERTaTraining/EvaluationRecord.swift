import Foundation

/// One evaluation, as a line of `eval_results.jsonl`: `step`, `epoch` (fine-tuning), `split` and
/// the metrics at the top level of the object (non-finite values as null).
public struct EvaluationRecord: Codable, Sendable, Equatable {
    public var step: Int
    /// Epochs done (fractional), for fine-tuning; nil for pretraining, which counts samples.
    public var epoch: Double?
    public var split: String
    public var metrics: [String: Double]
    /// The run's `--tag`, when it gave one (the original named its result files after it).
    public var tag: String? = nil

    public init(step: Int, epoch: Double? = nil, split: String, metrics: [String: Double]) {
        self.step = step
        self.epoch = epoch
        self.split = split
        self.metrics = metrics
    }

    static let fields: Set<String> = ["step", "epoch", "split", "tag"]

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: RecordKey.self)
        step = try c.decode(Int.self, forKey: "step")
        epoch = try c.decodeIfPresent(Double.self, forKey: "epoch")
        split = try c.decode(String.self, forKey: "split")
        tag = try c.decodeIfPresent(String.self, forKey: "tag")
        metrics = c.numbers(excluding: Self.fields)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: RecordKey.self)
        try c.encode(step, forKey: "step")
        try c.encodeIfPresent(epoch, forKey: "epoch")
        try c.encode(split, forKey: "split")
        try c.encodeIfPresent(tag, forKey: "tag")
        for (name, value) in metrics where !Self.fields.contains(name) { try c.encodeNumber(value, forKey: name) }
    }
}

extension EvaluationRecord {
    /// Prints the record as a table of two rows (names, values) to standard output, without the
    /// metrics in `hidden` (counts that are not results).
    public func printTable(hiding hidden: Set<String> = ["examples"]) {
        let keys = metrics.keys.filter { !hidden.contains($0) }.sorted()
        let header = ["step"] + (epoch == nil ? [] : ["epoch"]) + ["split"] + keys
        let values = ["\(step)"] + (epoch.map { [String(format: "%.2f", $0)] } ?? []) + [split] + keys.map { String(format: "%.4f", metrics[$0]!) }
        let widths = zip(header, values).map { max($0.count, $1.count) }
        for cells in [header, values] {
            print(zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        fflush(stdout)
    }
}

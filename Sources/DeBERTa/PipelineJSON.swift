import Foundation

/// A JSON value whose objects keep their key order, so that a pipeline's answer serializes with the
/// keys in the order transformers' pipelines return them (`{"label": …, "score": …}`).
public indirect enum PipelineJSON: Equatable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case array([PipelineJSON])
    case object([(String, PipelineJSON)])

    public static func == (a: PipelineJSON, b: PipelineJSON) -> Bool { a.description == b.description }

    /// Compact JSON as Python's `json.dumps` writes it (`", "` and `": "` separators, non-ASCII kept);
    /// numbers as the shortest text that reads back as the same Double.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .number(let x):
            if x.isNaN { return "NaN" }
            if x.isInfinite { return x > 0 ? "Infinity" : "-Infinity" }
            return "\(x)"
        case .string(let s): return PipelineJSON.quote(s)
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object(let entries): return "{" + entries.map { PipelineJSON.quote($0.0) + ": " + $0.1.description }.joined(separator: ", ") + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension LabelScore {
    /// `{"label": …, "score": …}`, an entry of transformers' text-classification answer.
    public var pipelineJSON: PipelineJSON { .object([("label", .string(label)), ("score", .number(score))]) }
}

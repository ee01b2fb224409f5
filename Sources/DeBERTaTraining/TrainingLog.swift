import Foundation

/// `training_log.jsonl`: one JSON object per optimizer step (`step`, `epoch`, `loss`,
/// `learning_rate`, `grad_norm`, `skipped`), appended as the run goes.
public final class TrainingLog {
    let handle: FileHandle

    /// Opens `url`, keeping only the entries of steps ≤ `keepingStepsUpTo` (a resumed run drops
    /// the steps it will redo).
    public init(_ url: URL, keepingStepsUpTo lastStep: Int) throws {
        var kept = ""
        if lastStep > 0, let old = try? String(contentsOf: url, encoding: .utf8) {
            for line in old.split(separator: "\n") {
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let step = o["step"] as? Int, step <= lastStep else { continue }
                kept += line + "\n"
            }
        }
        try Data(kept.utf8).write(to: url)
        handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    /// Appends one step's entry; `extra` adds more numeric fields (sorted by name) after the standard ones.
    public func append(step: Int, epoch: Int, result: StepResult, extra: [String: Double] = [:]) {
        func number(_ x: Double) -> String { x.isFinite ? String(format: "%.9g", x) : "null" }
        let more = extra.keys.sorted().map { ", \"\($0)\": \(number(extra[$0]!))" }.joined()
        let line = "{\"step\": \(step), \"epoch\": \(epoch + 1), \"loss\": \(number(Double(result.loss))), \"learning_rate\": \(number(result.learningRate)), \"grad_norm\": \(number(result.gradientNorm)), \"skipped\": \(result.skipped)\(more)}\n"
        handle.write(Data(line.utf8))
    }
}

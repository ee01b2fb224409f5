import Foundation
import Logging

/// Training progress: a redrawn one-line bar on a terminal, plain log lines otherwise.
public final class ProgressReporter {
    let logger: Logger
    let interactive: Bool
    let total: Int
    let start = Date()
    var lastLine = Date.distantPast
    var lastLoggedStep = 0
    var examplesSeen = 0

    /// `total`: number of optimizer steps of the run.
    public init(total: Int, logger: Logger, interactive: Bool = isatty(STDERR_FILENO) != 0) {
        self.total = total
        self.logger = logger
        self.interactive = interactive
    }

    /// Reports a finished step; `detail` (e.g. the losses of a pretraining run's two models) is
    /// appended to the line.
    public func step(_ step: Int, epoch: Int, epochs: Int, loss: Float, learningRate: Double, examples: Int, detail: String = "") {
        examplesSeen += examples
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(examplesSeen) / max(elapsed, 1e-9)
        let stepsPerSecond = Double(step) / max(elapsed, 1e-9)
        let eta = stepsPerSecond > 0 ? Double(total - step) / stepsPerSecond : 0
        let summary = String(format: "epoch %d/%d  step %d/%d  loss %.4f  lr %.2e  %.1f ex/s  ETA %@",
                             epoch + 1, epochs, step, total, loss, learningRate, rate, Self.clock(eta)) + (detail.isEmpty ? "" : "  " + detail)
        if interactive {
            guard Date().timeIntervalSince(lastLine) > 0.2 || step == total else { return }
            lastLine = Date()
            let width = 24
            let filled = total > 0 ? min(width, width * step / total) : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(bar) \(summary)".utf8))
            if step == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if step == total || step - lastLoggedStep >= max(1, total / 20) || Date().timeIntervalSince(lastLine) > 30 {
            lastLoggedStep = step
            lastLine = Date()
            logger.info("\(summary)")
        }
    }

    /// Ends the bar's line before other output.
    public func interrupt() {
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

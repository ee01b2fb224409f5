import Foundation

/// One line per file on standard error, redrawn in place: name, bytes so far and in all, rate, time left.
///
///     spm.model            1.20 MB / 2.46 MB   3.1 MB/s   ETA 0s
final class DownloadProgress: @unchecked Sendable {
    private let label: String
    private let total: Int64?
    private let enabled: Bool
    private let started = Date()
    private var startBytes: Int64
    private var bytes: Int64
    private var lastDraw = Date.distantPast

    init(label: String, total: Int64?, initial: Int64, enabled: Bool) {
        self.label = label
        self.total = total
        self.enabled = enabled
        startBytes = initial
        bytes = initial
    }

    /// Restarts the count (the server ignored a range request and sent the whole file).
    func reset() {
        bytes = 0
        startBytes = 0
    }

    func advance(_ count: Int) {
        bytes += Int64(count)
        guard enabled, Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
        draw(final: false)
    }

    func finish() {
        guard enabled else { return }
        draw(final: true)
    }

    private func draw(final: Bool) {
        lastDraw = Date()
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(bytes - startBytes) / elapsed
        var line = label.count > 32 ? "…" + label.suffix(31) : label.padding(toLength: 32, withPad: " ", startingAt: 0)
        line += "  " + formatBytes(bytes) + (total.map { " / " + formatBytes($0) } ?? "")
        line += "  " + formatBytes(Int64(rate)) + "/s"
        if let total, rate > 0, !final { line += "  ETA " + Self.duration(Double(total - bytes) / rate) }
        if final { line += "  " + Self.duration(elapsed) }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (final ? "\n" : "")).utf8))
    }

    private static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}

/// The two pretraining objectives of the original app.
public enum PretrainingTask: String, Codable, Sendable, CaseIterable {
    /// Masked language modelling with the Enhanced Mask Decoder (DeBERTa v1/v2).
    case mlm
    /// Replaced token detection: generator (MLM) + discriminator with GDES (DeBERTa v3).
    case rtd

    /// Accepts `mlm`/`MLM`, `rtd`/`RTD`.
    public init?(name: String) { self.init(rawValue: name.lowercased()) }
}

import Foundation

/// The element type the linear layers' matrix products read their inputs in. It is an argument of
/// ``linear(_:weight:bias:precision:cache:)`` (forward and backward products alike); a model's
/// forward pass takes it from its context, so that nothing process-wide decides it.
public enum MatmulPrecision: String, Sendable, CaseIterable {
    /// float32 inputs through BLAS `sgemm` or the packed kernel (the default).
    case fp32
    /// bfloat16 inputs (rounded to nearest even), float32 accumulation and output, through oneDNN.
    /// Gradients, master weights, attention scores, softmax and LayerNorm stay float32.
    case bf16

    /// Throws ``OneDNNError/unavailable(_:)`` for `.bf16` when oneDNN cannot be opened. Without this
    /// check such products are computed in float32 (reported once, counted in ``bf16Fallbacks``).
    public func checkAvailable() throws {
        if self == .bf16 { _ = try OneDNN.shared() }
    }

    /// bf16 products computed in float32 instead because oneDNN failed at run time.
    nonisolated(unsafe) public internal(set) static var bf16Fallbacks = 0

    /// Notes a float32 fallback; the first one is reported on standard error.
    static func reportFallback(_ error: Error) {
        bf16Fallbacks += 1
        if bf16Fallbacks == 1 {
            FileHandle.standardError.write(Data("warning: bf16 matrix product failed (\(error)); computing it in float32\n".utf8))
        }
    }
}

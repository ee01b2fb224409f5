import Foundation

/// The element type matrix products read their inputs in.
public enum MatmulPrecision: String, Sendable, CaseIterable {
    /// float32 inputs through BLAS `sgemm` (the default).
    case fp32
    /// bfloat16 inputs (rounded to nearest even), float32 accumulation and output, through oneDNN;
    /// used by ``linear(_:weight:bias:)`` forward and backward. Gradients, master weights,
    /// attention scores, softmax and LayerNorm stay float32.
    case bf16
}

/// The process-wide precision switch of the tensor core.
public enum Precision {
    /// How ``linear(_:weight:bias:)`` multiplies; set with ``setMatmul(_:)``.
    nonisolated(unsafe) public private(set) static var matmul: MatmulPrecision = .fp32

    /// Selects `precision` for the linear layers' matrix products from now on. Throws
    /// ``OneDNNError/unavailable(_:)`` for `.bf16` when oneDNN cannot be opened.
    public static func setMatmul(_ precision: MatmulPrecision) throws {
        if precision == .bf16 { _ = try OneDNN.shared() }
        matmul = precision
    }

    /// Runs `body` with `precision` selected, then restores the previous setting.
    public static func withMatmul<R>(_ precision: MatmulPrecision, _ body: () throws -> R) throws -> R {
        let saved = matmul
        try setMatmul(precision)
        defer { matmul = saved }
        return try body()
    }

    /// Products that fell back to float32 because oneDNN failed at run time (see ``linear(_:weight:bias:)``).
    nonisolated(unsafe) public internal(set) static var fallbackCount = 0

    /// Notes a float32 fallback; the first one is reported on standard error.
    static func reportFallback(_ error: Error) {
        fallbackCount += 1
        if fallbackCount == 1 {
            FileHandle.standardError.write(Data("warning: bf16 matrix product failed (\(error)); computing it in float32\n".utf8))
        }
    }
}

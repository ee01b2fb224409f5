extension BLAS {
    /// Row-major `C = alpha · op(A) · op(B) + beta · C` with bfloat16 A and B (bit patterns, see
    /// ``BFloat16``) and float32 C, products accumulated in float32 (oneDNN's matmul; faster than
    /// float32 only on CPUs whose bf16 dot products outrun their float32 FMAs: see BENCHMARKS.md,
    /// "bf16 matrix products").
    ///
    /// Arguments follow ``sgemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``: `op(A)` is
    /// `[m, k]`, `op(B)` is `[k, n]`, `lda`/`ldb`/`ldc` are row strides of the stored matrices.
    /// Throws ``OneDNNError/unavailable(_:)`` when oneDNN cannot be opened and
    /// ``OneDNNError/invalidArgument(_:)`` for negative sizes or too-small leading dimensions.
    public static func gemmBF16(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<UInt16>, lda: Int,
        b: UnsafePointer<UInt16>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) throws {
        guard m >= 0, n >= 0, k >= 0 else { throw OneDNNError.invalidArgument("negative size m \(m), n \(n), k \(k)") }
        let dnnl = try OneDNN.shared()
        // Empty products touch nothing, or only C (as sgemm): A and B need no valid strides then.
        if m == 0 || n == 0 { return }
        guard ldc >= n else { throw OneDNNError.invalidArgument("ldc \(ldc) is below the width of C's rows (\(n))") }
        if k == 0 {
            for i in 0..<m {
                let row = c + i * ldc
                for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
            }
            return
        }
        let aWidth = transA ? m : k, bWidth = transB ? k : n
        guard lda >= aWidth, ldb >= bWidth else {
            throw OneDNNError.invalidArgument("leading dimensions lda \(lda), ldb \(ldb) are below the widths of the stored rows of A (\(aWidth)) and B (\(bWidth))")
        }
        try dnnl.matmul(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                        a: UnsafeRawPointer(a), lda: lda, b: UnsafeRawPointer(b), ldb: ldb,
                        beta: beta, c: c, ldc: ldc, inputType: OneDNN.dataTypeBF16)
    }
}

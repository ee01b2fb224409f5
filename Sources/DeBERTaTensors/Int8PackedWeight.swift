import DeBERTaKernels
import Foundation

/// A linear layer's constant weight `[out, in]` quantized to int8 per output channel (symmetric)
/// and packed once for the VNNI product kernel (`ck_qgemm`, Int8Gemm.c); each product quantizes
/// its input rows to u8 (asymmetric, per row) on the fly, accumulates in int32 and dequantizes to
/// float32. CPUs without AVX-512 VNNI run a portable loop with the same integer results.
///
/// Not yet used by `linear` or the model (issue 18).
public final class Int8PackedWeight: @unchecked Sendable {
    /// Output features (rows of the weight).
    public let outFeatures: Int
    /// Input features (columns of the weight).
    public let inFeatures: Int
    /// Per-output-channel scales: W[j, k] ≈ ``quantizedValues()``[j, k] · scales[j].
    public let scales: [Float]
    /// Σ_k of each output channel's int8 values (the zero-point correction).
    public let columnSums: [Int32]
    private let panels: UnsafeMutablePointer<Int8>
    private let byteCount: Int

    /// Whether this CPU runs the AVX-512 VNNI kernel.
    public static let hasVNNI = ck_qgemm_vnni_available() != 0

    /// The largest input width whose int32 sums cannot overflow.
    public static let maximumInFeatures = Int(CK_QGEMM_MAX_K)

    /// Runs `repeats` × 96 register-only `vpdpbusd` (16 × 4 multiply-adds each) on this thread: the
    /// instruction's ceiling, for benchmarks. Does nothing without VNNI.
    public static func vnniPeakLoop(repeats: Int) {
        _ = ck_qgemm_vnni_peak_loop(repeats)
    }

    /// Quantizes and packs the `[out, in]` values of `weight`.
    public init(_ weight: Tensor) {
        precondition(weight.rank == 2, "Int8PackedWeight needs a [out, in] weight, got \(weight.shape)")
        outFeatures = weight.dim(0)
        inFeatures = weight.dim(1)
        precondition(inFeatures <= Self.maximumInFeatures && outFeatures <= Int(Int32.max),
                     "Int8PackedWeight: [\(outFeatures), \(inFeatures)] is too large for int32 sums")
        byteCount = ck_qgemm_packed_size(Int32(outFeatures), Int32(inFeatures))
        panels = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
            .bindMemory(to: Int8.self, capacity: max(byteCount, 1))
        var s = [Float](repeating: 0, count: outFeatures), sums = [Int32](repeating: 0, count: outFeatures)
        ck_qgemm_pack(weight.data, Int32(outFeatures), Int32(inFeatures), panels, &s, &sums)
        scales = s
        columnSums = sums
    }

    deinit { panels.deallocate() }

    /// Bytes of the packed panels.
    public var packedByteCount: Int { byteCount }

    /// The int8 weight `[out, in]`, row-major, read back from the panels.
    public func quantizedValues() -> [Int8] {
        let groups = (inFeatures + 3) / 4
        var values = [Int8](repeating: 0, count: outFeatures * inFeatures)
        for j in 0..<outFeatures {
            let lane = (j / 64 * groups * 64 + j % 64) * 4
            for k in 0..<inFeatures { values[j * inFeatures + k] = panels[lane + k / 4 * 256 + k % 4] }
        }
        return values
    }

    /// Calls `body` with the kernel's description of this weight.
    func withDescriptor<R>(_ body: (UnsafePointer<ck_qweight>) -> R) -> R {
        scales.withUnsafeBufferPointer { s in
            columnSums.withUnsafeBufferPointer { c in
                var w = ck_qweight(n: Int32(outFeatures), k: Int32(inFeatures), panels: panels,
                                   scale: s.baseAddress, col_sum: c.baseAddress)
                return body(&w)
            }
        }
    }

    /// `out[r, j] ≈ Σ_k x[r, k] · W[j, k] (+ bias[j]) (+ residual[r, j])`, through exact GELU with
    /// `gelu`, for `rows` rows of `x` (row stride ``inFeatures``); `out` and `residual` have row
    /// stride ``outFeatures``. Large products are split over the workers by column panels. With
    /// `vnni` false the portable loop runs even on a VNNI CPU (for tests).
    public func product(_ x: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?,
                        residual: UnsafePointer<Float>? = nil, gelu: Bool = false, vnni: Bool = true,
                        into out: UnsafeMutablePointer<Float>) {
        precondition(rows <= Int(Int32.max), "Int8PackedWeight: too many rows")
        guard rows > 0 else { return }
        let n = outFeatures, k = inFeatures, ld = Int(ck_qgemm_row_stride(Int32(k)))
        var q = [UInt8](repeating: 0, count: rows * ld)
        var rowScale = [Float](repeating: 0, count: rows), zeroPoint = [Int32](repeating: 0, count: rows)
        ck_qgemm_quantize_rows(x, Int32(rows), Int32(k), Int32(k), &q, Int32(ld), &rowScale, &zeroPoint)
        let panelCount = (n + 63) / 64
        let workers = min(Threading.workers, panelCount)
        q.withUnsafeBufferPointer { qp in rowScale.withUnsafeBufferPointer { sp in zeroPoint.withUnsafeBufferPointer { zp in
            let rowsDescriptor = ck_qrows(q: qp.baseAddress, ld: Int32(ld), scale: sp.baseAddress, zero_point: zp.baseAddress)
            withDescriptor { w in withUnsafePointer(to: rowsDescriptor) { a in
                func run(_ p: Range<Int>) {
                    _ = ck_qgemm(w, a, bias, residual, out, nil, Int32(n), 0, Int32(rows),
                                 Int32(p.lowerBound * 64), Int32(min(n, p.upperBound * 64)), gelu ? 1 : 0, vnni ? 1 : 0)
                }
                if workers <= 1 || rows * n * k < BLAS.splitThreshold {
                    run(0..<panelCount)
                } else {
                    Parallel.perform(workers) { t in
                        let lo = panelCount * t / workers, hi = panelCount * (t + 1) / workers
                        if lo < hi { run(lo..<hi) }
                    }
                }
            } }
        } } }
    }

    /// `x · Wᵀ (+ bias)` for `x` `[rows, in]`: a `[rows, out]` tensor.
    public func product(_ x: Tensor, bias: Tensor? = nil, gelu: Bool = false, vnni: Bool = true) -> Tensor {
        precondition(x.rank == 2 && x.dim(1) == inFeatures, "Int8PackedWeight: x \(x.shape) against [\(outFeatures), \(inFeatures)]")
        precondition(bias.map { $0.count == outFeatures } ?? true, "Int8PackedWeight: bias of \(bias!.count) values")
        let out = Tensor(uninitializedShape: [x.dim(0), outFeatures])
        product(x.data, rows: x.dim(0), bias: bias.map { UnsafePointer($0.data) }, gelu: gelu, vnni: vnni, into: out.data)
        return out
    }
}

import DeBERTaKernels
import Foundation

/// A linear layer's constant weight `[out, in]` packed once into the column panels of the AVX-512
/// product kernel (`ck_sgemm_packed`), so that inference does not re-pack it on every call as
/// `sgemm` does (a large share of a small batch's forward pass: see BENCHMARKS.md, "Packed weights").
/// Layers keep theirs in a ``WeightCache``.
public final class PackedWeight: @unchecked Sendable {
    /// Output features (rows of the weight).
    public let outFeatures: Int
    /// Input features (columns of the weight).
    public let inFeatures: Int
    private let pointer: UnsafeMutablePointer<Float>
    private let floatCount: Int

    /// Whether this CPU runs the packed kernel (AVX-512), and it is not turned off: with the
    /// environment variable `DEBERTA_NO_PACKED` set, every product goes to BLAS (for A/B timing).
    public static let isAvailable = ck_sgemm_packed_available() != 0 && getenv("DEBERTA_NO_PACKED") == nil

    /// Weights with more elements than this are not packed (a tied vocabulary projection would
    /// double the embedding table's memory).
    public static let maximumCount = 1 << 24

    /// Packs the `[out, in]` values of `weight`.
    public init(_ weight: Tensor) {
        precondition(weight.rank == 2, "PackedWeight needs a [out, in] weight, got \(weight.shape)")
        outFeatures = weight.dim(0)
        inFeatures = weight.dim(1)
        floatCount = ck_sgemm_packed_size(Int32(outFeatures), Int32(inFeatures))
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(floatCount, 1) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(floatCount, 1))
        ck_sgemm_pack(weight.data, Int32(outFeatures), Int32(inFeatures), pointer)
    }

    deinit { pointer.deallocate() }

    /// Whether the packed kernel can multiply by `weight`: this CPU runs it, and `weight` is a
    /// `[out, in]` matrix of at most ``maximumCount`` values.
    public static func canPack(_ weight: Tensor) -> Bool {
        isAvailable && weight.rank == 2 && weight.count <= maximumCount
            && weight.dim(0) <= Int(Int32.max) && weight.dim(1) <= Int(Int32.max)
    }

    /// Bytes of the packed panels.
    public var byteCount: Int { floatCount * MemoryLayout<Float>.stride }

    /// `out[r, j] = Σ_k x[r, k] · W[j, k] (+ bias[j]) (+ residual[r, j])`, passed through exact GELU
    /// with `gelu`, for `rows` rows of `x` (row stride `inFeatures`); `out` and `residual` have row
    /// stride `outFeatures`. Large products are split over the workers by column panels (or by rows
    /// when there are too few panels to share evenly). Returns false, writing nothing, when this CPU
    /// lacks the kernel.
    public func product(_ x: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?,
                        residual: UnsafePointer<Float>? = nil, gelu: Bool = false,
                        into out: UnsafeMutablePointer<Float>) -> Bool {
        let n = outFeatures, k = inFeatures
        guard Self.isAvailable, rows <= Int(Int32.max) else { return false }
        guard rows > 0 else { return true }
        let width = Int(ck_sgemm_packed_panel_width())
        let panels = (n + width - 1) / width
        let workers = Threading.workers
        func run(rows r: Range<Int>, panels p: Range<Int>) -> Bool {
            ck_sgemm_packed(Int32(n), Int32(k), x, Int32(k), pointer, bias, residual, out, Int32(n),
                            Int32(r.lowerBound), Int32(r.upperBound),
                            Int32(p.lowerBound * width), Int32(min(n, p.upperBound * width)), gelu ? 1 : 0) != 0
        }
        if workers <= 1 || rows * n * k < BLAS.splitThreshold {
            return run(rows: 0..<rows, panels: 0..<panels)
        }
        let byPanels = panels % workers == 0 || panels >= 4 * workers || rows < 12 * workers
        let units = byPanels ? panels : rows
        Parallel.perform(workers) { w in
            var lo = units * w / workers, hi = units * (w + 1) / workers
            if !byPanels {  // row blocks in whole 6-row tiles
                lo = lo / 6 * 6
                hi = w == workers - 1 ? rows : hi / 6 * 6
            }
            guard lo < hi else { return }
            _ = byPanels ? run(rows: 0..<rows, panels: lo..<hi) : run(rows: lo..<hi, panels: 0..<panels)
        }
        return true
    }
}

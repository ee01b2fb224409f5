#if canImport(Accelerate)
import Accelerate
#else
import Foundation
#endif

/// Typed wrappers over the BLAS routines the tensor core uses.
///
/// On Linux OpenBLAS (Debian: `libopenblas0`, from `libopenblas-dev`) is opened at run time rather
/// than linked: OpenBLAS 0.3.21 picks its kernels by CPU model name at load time and falls back to
/// its SSE3 "Prescott" kernels on CPUs it does not know, several times slower than its AVX-512 ones
/// (see BENCHMARKS.md, "OpenBLAS"). Opening it ourselves lets us set `OPENBLAS_CORETYPE` from the CPU's feature flags
/// first, unless the user has set it.
///
/// OpenBLAS runs single-threaded; large products are split into row (or column) blocks that run on
/// our own workers (``Parallel``). One pool for everything: OpenBLAS's own threads spin and
/// `sched_yield` between calls, taking the cores from our workers (see BENCHMARKS.md, "OpenBLAS").
public enum BLAS {
    /// Products smaller than this many multiply-adds run on the calling thread.
    @usableFromInline static let splitThreshold = 1 << 21

    /// Row-major `C = alpha · op(A) · op(B) + beta · C` (`cblas_sgemm`). With `parallel`, a large
    /// product is split over the workers.
    @inlinable
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
        parallel: Bool = true
    ) {
        let workers = Threading.workers
        if parallel && workers > 1 && m * n * k >= splitThreshold && max(m, n) >= 32 * workers {
            let alongRows = m >= n
            let extent = alongRows ? m : n
            // Blocks of a multiple of 16 rows/columns (the kernels' register tiles).
            let block = ((extent + workers - 1) / workers + 15) / 16 * 16
            Parallel.perform(workers) { w in
                let start = w * block, end = min(extent, start + block)
                guard start < end else { return }
                if alongRows {
                    sgemm(transA: transA, transB: transB, m: end - start, n: n, k: k, alpha: alpha,
                          a: transA ? a + start : a + start * lda, lda: lda, b: b, ldb: ldb,
                          beta: beta, c: c + start * ldc, ldc: ldc, parallel: false)
                } else {
                    sgemm(transA: transA, transB: transB, m: m, n: end - start, k: k, alpha: alpha,
                          a: a, lda: lda, b: transB ? b + start * ldb : b + start, ldb: ldb,
                          beta: beta, c: c + start, ldc: ldc, parallel: false)
                }
            }
            return
        }
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m {
                let row = c + i * ldc
                for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
            }
            return
        }
        #if canImport(Accelerate)
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        #else
        OpenBLAS.shared.sgemm(rowMajor, transA ? trans : noTrans, transB ? trans : noTrans,
                              Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        #endif
    }

    /// Sets the number of threads BLAS itself uses (1 by default: large products are split over
    /// our workers instead).
    public static func setThreads(_ n: Int) {
        #if !canImport(Accelerate)
        OpenBLAS.shared.setThreads?(Int32(n))
        #endif
    }

    /// The kernel family BLAS runs (OpenBLAS's core name), for logs and benchmarks.
    public static var coreName: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        guard let f = OpenBLAS.shared.coreName, let s = f() else { return "unknown" }
        return String(cString: s)
        #endif
    }

    // CBLAS enumeration values (cblas.h).
    @usableFromInline static let rowMajor: Int32 = 101
    @usableFromInline static let noTrans: Int32 = 111
    @usableFromInline static let trans: Int32 = 112
}

#if !canImport(Accelerate)
/// OpenBLAS's entry points, resolved once with `dlopen`/`dlsym`.
@usableFromInline
final class OpenBLAS: @unchecked Sendable {
    @usableFromInline typealias Sgemm = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
                                       UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    @usableFromInline let sgemm: Sgemm
    let setThreads: (@convention(c) (Int32) -> Void)?
    let coreName: (@convention(c) () -> UnsafeMutablePointer<CChar>?)?

    @usableFromInline static let shared = OpenBLAS()

    private init() {
        if getenv("OPENBLAS_CORETYPE") == nil, let core = OpenBLAS.coreTypeForThisCPU() {
            setenv("OPENBLAS_CORETYPE", core, 0)
        }
        let names = ["libopenblas.so.0", "libopenblas.so", "libopenblasp-r0.3.21.so", "libblas.so.3"]
        guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_GLOBAL) }).first else {
            fatalError("OpenBLAS not found (tried \(names.joined(separator: ", "))); install it: apt-get install libopenblas-dev")
        }
        guard let s = dlsym(handle, "cblas_sgemm") else { fatalError("the BLAS library has no cblas_sgemm") }
        sgemm = unsafeBitCast(s, to: Sgemm.self)
        setThreads = dlsym(handle, "openblas_set_num_threads").map { unsafeBitCast($0, to: (@convention(c) (Int32) -> Void).self) }
        coreName = dlsym(handle, "openblas_get_corename").map { unsafeBitCast($0, to: (@convention(c) () -> UnsafeMutablePointer<CChar>?).self) }
        setThreads?(1)
    }

    /// `SkylakeX` when the CPU has the AVX-512 subsets its kernels use, else nil (OpenBLAS decides).
    static func coreTypeForThisCPU() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        return ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(flags.contains) ? "SkylakeX" : nil
    }
}
#endif

import DeBERTaTensors
import Foundation

/// `deberta bench --int8-gemm`: the int8 product's speed against the VNNI instruction's ceiling and
/// the fp32 packed kernel, on one linear layer's shape (no model).
enum Int8GemmBench {
    /// The shortest of `reps` runs of `body` after one untimed run: on a shared machine the least
    /// disturbed run is the closest to what the code can do.
    static func best(_ reps: Int, _ body: () -> Void) -> Double {
        body()
        var times: [Double] = []
        for _ in 0..<max(reps, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.min()!
    }

    /// GOPS (2 operations per multiply-add) of: the register-only `vpdpbusd` loop on every worker,
    /// the int8 product (activation quantization included) and the fp32 packed product on
    /// `rows` × `inFeatures` → `outFeatures`.
    static func run(rows: Int, inFeatures k: Int, outFeatures n: Int, reps: Int) -> [String: Any] {
        let workers = Threading.workers
        let repeats = 100_000  // a few milliseconds, like the products
        let peakSeconds = best(reps) {
            Parallel.perform(workers) { _ in Int8PackedWeight.vnniPeakLoop(repeats: repeats) }
        }
        // Each repeat: 96 instructions × 16 lanes × 4 multiply-adds.
        let peak = Double(workers * repeats * 96 * 16 * 4 * 2) / peakSeconds / 1e9
        var state: UInt64 = 1
        func values(_ count: Int) -> [Float] {
            (0..<count).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(state >> 40) - (1 << 23)) / Float(1 << 23)
            }
        }
        let weight = Tensor(values(n * k), shape: [n, k]), x = Tensor(values(rows * k), shape: [rows, k])
        let bias = Tensor(values(n), shape: [n]), out = Tensor(uninitializedShape: [rows, n])
        let int8 = Int8PackedWeight(weight), fp32 = PackedWeight(weight)
        let ops = 2.0 * Double(rows * n * k)
        let int8Seconds = best(reps) { int8.product(x.data, rows: rows, bias: bias.data, into: out.data) }
        let fp32Seconds = best(reps) { _ = fp32.product(x.data, rows: rows, bias: bias.data, into: out.data) }
        return [
            "threads": workers, "shape": [rows, k, n], "vnni": Int8PackedWeight.hasVNNI,
            "vnni_peak_gops": Int8PackedWeight.hasVNNI ? peak : 0,
            "int8_gops": ops / int8Seconds / 1e9, "int8_ms": int8Seconds * 1e3,
            "fp32_packed_gops": PackedWeight.isAvailable ? ops / fp32Seconds / 1e9 : 0, "fp32_packed_ms": fp32Seconds * 1e3,
        ]
    }
}

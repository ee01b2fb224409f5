import Foundation
import DeBERTaTensors

/// The generator's replacements for RTD (PRETRAINING.md §4.2): one draw per masked position from
/// `softmax(logits / T)`, by inverse CDF with a counter-based uniform keyed on the sample's global
/// index and the position. Draws depend only on (seed, sample, position), so they are the same
/// whatever the batch split, thread count, retry after an fp16 overflow or resume point.
/// (The original uses `torch.multinomial` on the global torch generator.)
public struct ReplacementSampler: Sendable {
    public let seed: UInt64
    public var temperature: Double = 1

    public init(seed: UInt64, temperature: Double = 1) {
        self.seed = seed
        self.temperature = temperature
    }

    /// A uniform double in [0, 1) for (sample, position), 53 random bits.
    public func uniform(sample: Int, position: Int) -> Double {
        let key = RandomStream.mix((seed ^ 0x5A3D_17C0_0000_0000) &+ (UInt64(truncatingIfNeeded: sample) &* 0x9E37_79B9_7F4A_7C15))
        let bits = RandomStream.mix(key ^ (UInt64(truncatingIfNeeded: position) &* 0xD1B5_4A32_D192_ED03))
        return Double(bits >> 11) * 0x1p-53
    }

    /// One token per row of `logits` (`[M, V]`, no gradient taken); row `r` uses `keys[r]`.
    public func sample(logits: Tensor, keys: [(sample: Int, position: Int)]) -> [Int32] {
        let v = logits.dim(-1), rows = logits.count / v
        precondition(keys.count == rows, "\(keys.count) keys for \(rows) rows of logits")
        var out = [Int32](repeating: 0, count: rows)
        let t = max(temperature, 1e-12)
        out.withUnsafeMutableBufferPointer { result in
            Parallel.forEach(rows, grain: 16) { range in
                var cumulative = [Double](repeating: 0, count: v)
                for r in range {
                    let x = logits.data + r * v
                    var mx = -Double.infinity
                    for c in 0..<v { mx = max(mx, Double(x[c]) / t) }
                    var total = 0.0
                    for c in 0..<v {
                        total += Foundation.exp(Double(x[c]) / t - mx)
                        cumulative[c] = total
                    }
                    // The first token whose cumulative weight exceeds u · total.
                    let target = uniform(sample: keys[r].sample, position: keys[r].position) * total
                    var lo = 0, hi = v - 1
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
                    }
                    result[r] = Int32(lo)
                }
            }
        }
        return out
    }
}

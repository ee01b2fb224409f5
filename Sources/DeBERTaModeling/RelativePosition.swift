import Foundation
import DeBERTaTensors

/// Relative positions of disentangled attention (MODEL.md §7).
public enum RelativePosition {
    /// The log-bucketed relative distance of DeBERTa v2/v3 (`make_log_bucket_position`): exact
    /// within ±`buckets/2`, logarithmic beyond, evaluated in float32 as Hugging Face does.
    public static func bucket(_ r: Int, buckets: Int, maxPosition: Int) -> Int {
        let mid = buckets / 2
        let absPos = (r < mid && r > -mid) ? mid - 1 : abs(r)
        if absPos <= mid { return r }
        let ratio = log(Float(absPos) / Float(mid)) / log(Float(Double(maxPosition - 1) / Double(mid)))
        let logPos = Int(ceil(ratio * Float(mid - 1))) + mid
        return r < 0 ? -logPos : logPos
    }

    /// Row of the relative embedding table for query `i` and key `j`: `clamp(bucket(i − j) + span, 0, 2·span − 1)`,
    /// as an `[queries, keys]` index (shared by c2p and p2c).
    public static func index(queries: Int, keys: Int, configuration c: DeBERTaConfiguration) -> IndexTensor {
        let span = c.relativeSpan
        let maxRel = c.resolvedMaxRelativePositions
        var values = [Int32](repeating: 0, count: queries * keys)
        // The index depends on i − j only: compute each distance once.
        var byDistance = [Int32](repeating: 0, count: queries + keys - 1)
        for r in -(keys - 1)...(queries - 1) {
            let b = c.positionBuckets > 0 && maxRel > 0 ? bucket(r, buckets: c.positionBuckets, maxPosition: maxRel) : r
            byDistance[r + keys - 1] = Int32(min(max(b + span, 0), 2 * span - 1))
        }
        for i in 0..<queries {
            for j in 0..<keys { values[i * keys + j] = byDistance[i - j + keys - 1] }
        }
        return IndexTensor(values, shape: [queries, keys])
    }

    /// The rows of the relative table that `queries × keys` attention can reach, and the index
    /// into just those rows. `idx(i − j)` is monotonic in `i − j`, so the reachable rows form one
    /// contiguous range: at length L only about 2L − 1 of the 2·span rows take part, which prunes
    /// the position projections and the c2p/p2c products to them.
    public static func activeRows(queries: Int, keys: Int, configuration c: DeBERTaConfiguration) -> (rows: Range<Int>, index: IndexTensor) {
        let full = index(queries: queries, keys: keys, configuration: c)
        let low = Int(full.values.min() ?? 0), high = Int(full.values.max() ?? 0)
        return (low..<(high + 1), IndexTensor(full.values.map { $0 - Int32(low) }, shape: full.shape))
    }

    /// The relative distances themselves (bucketed for v2/v3), `[queries, keys]`, as Hugging Face's
    /// `relative_pos` (for comparisons and debugging).
    public static func distances(queries: Int, keys: Int, configuration c: DeBERTaConfiguration) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(queries * keys)
        for i in 0..<queries {
            for j in 0..<keys {
                let r = i - j
                out.append(c.positionBuckets > 0 ? bucket(r, buckets: c.positionBuckets, maxPosition: c.resolvedMaxRelativePositions) : r)
            }
        }
        return out
    }
}

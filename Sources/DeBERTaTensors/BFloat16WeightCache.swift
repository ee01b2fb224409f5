/// bfloat16 copies of constant weights, so that bf16 inference rounds each weight once rather
/// than on every call.
///
/// Only weights that do not require gradients are cached (weights being trained change every
/// step and are rounded per forward pass, the copy then serving the backward pass too).
public enum BFloat16WeightCache {
    private static let cache = WeightCache<BFloat16Buffer>()

    /// The bfloat16 copy of `weight`'s values, made now if absent or stale.
    public static func buffer(for weight: Tensor) -> BFloat16Buffer {
        cache.value(for: weight) { BFloat16Buffer(rounding: $0) }
    }

    /// Number of cached weights whose storage is alive.
    public static var count: Int { cache.count }

    /// Drops every cached copy (frees their memory).
    public static func removeAll() { cache.removeAll() }
}

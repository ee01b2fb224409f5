
/// numpy's legacy `np.random.RandomState(seed).shuffle(np.arange(n))`, which the original
/// `DynamicDataset` uses for its sample order: MT19937 seeded with `init_genrand(seed)`, then a
/// Fisher–Yates pass from the end where `j = random_interval(i)` draws 32-bit outputs masked to the
/// smallest all-ones mask ≥ i until one is ≤ i.
public enum NumpyShuffle {
    /// The permutation of `0 ..< count` (`count` ≤ 2³²).
    public static func permutation(count: Int, seed: UInt32) -> [UInt32] {
        precondition(count >= 0 && UInt64(count) <= UInt64(UInt32.max) + 1, "permutation of \(count) elements")
        var values = [UInt32](repeating: 0, count: count)
        for i in 0..<count { values[i] = UInt32(truncatingIfNeeded: i) }
        var random = PythonRandom(genrandSeed: seed)
        var i = count - 1
        while i >= 1 {
            let j = interval(UInt32(i), &random)
            values.swapAt(i, Int(j))
            i -= 1
        }
        return values
    }

    /// numpy's `random_interval(max)` for `max < 2³²`.
    static func interval(_ max: UInt32, _ random: inout PythonRandom) -> UInt32 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        while true {
            let value = random.nextUInt32() & mask
            if value <= max { return value }
        }
    }
}

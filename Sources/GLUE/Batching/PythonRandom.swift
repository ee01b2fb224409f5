/// A random-number generator that reproduces Python's `random.Random(seed).random()` stream bit for bit
/// (the Mersenne Twister MT19937 seeded the way CPython seeds it from an integer), so truncation choices
/// made by the original app's per-example RNG can be replayed.
public struct PythonRandom: Sendable {
    private static let n = 624
    private static let m = 397
    private var state = [UInt32](repeating: 0, count: PythonRandom.n)
    private var position = PythonRandom.n

    /// Seeds like `random.Random(seed)`: the key is |seed| split into 32-bit words, least significant
    /// first (`[0]` for 0), fed to MT19937's `init_by_array`.
    public init(seed: Int) {
        var magnitude = seed.magnitude
        var key: [UInt32] = []
        repeat {
            key.append(UInt32(truncatingIfNeeded: magnitude))
            magnitude >>= 32
        } while magnitude > 0
        seedByArray(key)
    }

    /// The next float in [0, 1) with 53 random bits, as Python's `random()`.
    public mutating func random() -> Double {
        let high = Double(nextUInt32() >> 5)   // 27 bits
        let low = Double(nextUInt32() >> 6)    // 26 bits
        return (high * 67_108_864.0 + low) / 9_007_199_254_740_992.0
    }

    /// The next tempered 32-bit output of MT19937 (Python's `getrandbits(32)`).
    public mutating func nextUInt32() -> UInt32 {
        if position >= PythonRandom.n { twist() }
        var y = state[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func seedWithInteger(_ seed: UInt32) {
        state[0] = seed
        for i in 1..<PythonRandom.n {
            let previous = state[i - 1]
            state[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
        position = PythonRandom.n
    }

    private mutating func seedByArray(_ key: [UInt32]) {
        let n = PythonRandom.n
        seedWithInteger(19_650_218)
        var i = 1, j = 0
        for _ in 0..<max(n, key.count) {
            let previous = state[i - 1]
            state[i] = (state[i] ^ ((previous ^ (previous >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(j)
            i += 1
            j += 1
            if i >= n { state[0] = state[n - 1]; i = 1 }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<(n - 1) {
            let previous = state[i - 1]
            state[i] = (state[i] ^ ((previous ^ (previous >> 30)) &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= n { state[0] = state[n - 1]; i = 1 }
        }
        state[0] = 0x8000_0000
        position = n
    }

    private mutating func twist() {
        let n = PythonRandom.n, m = PythonRandom.m
        for k in 0..<n {
            let y = (state[k] & 0x8000_0000) | (state[(k + 1) % n] & 0x7FFF_FFFF)
            state[k] = state[(k + m) % n] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_B0DF)
        }
        position = 0
    }
}

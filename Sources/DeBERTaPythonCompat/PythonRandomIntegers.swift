/// The integer draws of Python's `random.Random`, consuming the generator exactly as CPython does,
/// so code ported from Python (masking, sampling) reproduces the same choices.
extension PythonRandom {
    /// `getrandbits(k)` for `0 ≤ k ≤ 64`: one 32-bit output per 32 bits, least significant word
    /// first, the last word keeping its top `k mod 32` bits.
    public mutating func getrandbits(_ k: Int) -> UInt64 {
        precondition(k >= 0 && k <= 64, "getrandbits supports 0…64 bits, got \(k)")
        if k == 0 { return 0 }
        if k <= 32 { return UInt64(nextUInt32() >> UInt32(32 - k)) }
        let low = UInt64(nextUInt32())
        let high = UInt64(nextUInt32() >> UInt32(64 - k))
        return low | (high << 32)
    }

    /// `_randbelow(n)` (`_randbelow_with_getrandbits`): draws `n.bit_length()` bits until the value
    /// is below `n`. `n` must be positive.
    public mutating func randbelow(_ n: Int) -> Int {
        precondition(n > 0, "randbelow needs a positive bound, got \(n)")
        let k = Int.bitWidth - n.leadingZeroBitCount
        var r = getrandbits(k)
        while r >= UInt64(n) { r = getrandbits(k) }
        return Int(r)
    }

    /// `randint(a, b)`: a value in `a…b`, both ends included (`a + _randbelow(b − a + 1)`).
    public mutating func randint(_ a: Int, _ b: Int) -> Int {
        precondition(b >= a, "randint needs a ≤ b, got \(a), \(b)")
        return a + randbelow(b - a + 1)
    }

    /// `choice(seq)` for a sequence of `count` elements: the index it picks (`_randbelow(count)`).
    public mutating func choiceIndex(count: Int) -> Int { randbelow(count) }
}

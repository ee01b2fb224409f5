import Foundation

/// Counter-based random numbers: value `i` of stream `key` is a pure function of `(key, i)`, so
/// results do not depend on how work is split over threads, and a run can be resumed from its
/// counters alone.
public struct RandomStream: Sendable, Codable, Equatable {
    public let seed: UInt64
    /// How many keys ``nextKey()`` has handed out.
    public private(set) var counter: UInt64

    public init(seed: UInt64, counter: UInt64 = 0) {
        self.seed = seed
        self.counter = counter
    }

    /// A fresh key for one use (e.g. one dropout mask).
    public mutating func nextKey() -> UInt64 {
        counter &+= 1
        return RandomStream.mix(seed &+ counter &* 0x9E37_79B9_7F4A_7C15)
    }

    /// SplitMix64's finaliser: a bijective 64-bit mix.
    @inlinable public static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform float in [0, 1) for element `index` of stream `key`.
    @inlinable public static func uniform(key: UInt64, index: Int) -> Float {
        let bits = mix(key ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03))
        return Float(bits >> 40) * (1.0 / 16_777_216.0)
    }

    /// Standard normal value for element `index` of stream `key` (Box–Muller).
    public static func normal(key: UInt64, index: Int) -> Float {
        let u1 = Double(mix(key ^ (UInt64(truncatingIfNeeded: 2 * index) &* 0xD1B5_4A32_D192_ED03)) >> 11) * 0x1p-53
        let u2 = Double(mix(key ^ (UInt64(truncatingIfNeeded: 2 * index + 1) &* 0xD1B5_4A32_D192_ED03)) >> 11) * 0x1p-53
        let r = (-2 * log(Swift.max(u1, 1e-300))).squareRoot()
        return Float(r * cos(2 * Double.pi * u2))
    }
}

extension Tensor {
    /// A tensor of `N(0, std²)` values drawn from stream `key` (element `i` depends only on `key` and `i`).
    public static func randomNormal(_ shape: [Int], std: Float, key: UInt64) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        t.fillRandomNormal(std: std, key: key)
        return t
    }

    /// A tensor of `U(low, high)` values drawn from stream `key`.
    public static func randomUniform(_ shape: [Int], low: Float, high: Float, key: UInt64) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        t.fillRandomUniform(low: low, high: high, key: key)
        return t
    }

    /// Overwrites the values with those of ``randomNormal(_:std:key:)`` (for storage allocated
    /// apart, e.g. through ``init(allocatingShape:)``).
    public func fillRandomNormal(std: Float, key: UInt64) {
        let p = data
        Parallel.forEach(count, grain: 1 << 16) { r in
            for i in r { p[i] = RandomStream.normal(key: key, index: i) * std }
        }
    }

    /// Overwrites the values with those of ``randomUniform(_:low:high:key:)``.
    public func fillRandomUniform(low: Float, high: Float, key: UInt64) {
        let p = data
        Parallel.forEach(count, grain: 1 << 16) { r in
            for i in r { p[i] = low + (high - low) * RandomStream.uniform(key: key, index: i) }
        }
    }
}

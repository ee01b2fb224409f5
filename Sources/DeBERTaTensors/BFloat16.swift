import DeBERTaKernels

/// bfloat16 values held as their 16-bit patterns (the top half of a float32), and the
/// conversions that bf16 matrix products need.
///
/// Rounding is to nearest, ties to even, on the bit pattern: subnormals are rounded like any
/// other value (not flushed to zero), ±infinity stays infinite, finite values that round past the
/// largest bfloat16 (≈ 3.39e38) become infinite, and a NaN stays a NaN (quiet, sign kept), so
/// overflow checks downstream (dynamic loss scaling) still see it.
public enum BFloat16 {
    /// The bfloat16 nearest to `x` (ties to even), as a bit pattern.
    @inlinable
    public static func bits(_ x: Float) -> UInt16 {
        let u = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: u >> 16) | 0x0040 }
        return UInt16(truncatingIfNeeded: (u &+ 0x7FFF &+ ((u >> 16) & 1)) >> 16)
    }

    /// The float32 value of a bfloat16 bit pattern (exact).
    @inlinable
    public static func float(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// `x` rounded to bfloat16 and back.
    @inlinable
    public static func rounded(_ x: Float) -> Float { float(bits(x)) }

    /// Rounds `count` floats to bfloat16 patterns, in parallel over ``Threading/workers`` threads
    /// for large buffers (AVX-512 kernels where the CPU has them).
    public static func round(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<UInt16>, count: Int) {
        Parallel.forEach(count, grain: 1 << 16) { r in
            ck_bf16_round_f32(source + r.lowerBound, destination + r.lowerBound, r.count)
        }
    }

    /// Widens `count` bfloat16 patterns to floats, in parallel for large buffers.
    public static func widen(_ source: UnsafePointer<UInt16>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forEach(count, grain: 1 << 16) { r in
            ck_bf16_widen_to_f32(source + r.lowerBound, destination + r.lowerBound, r.count)
        }
    }

    /// Whether the conversion kernels run with AVX-512 on this CPU.
    public static var usesAVX512: Bool { ck_bf16_kernels_use_avx512() != 0 }
}

/// A 64-byte-aligned buffer of bfloat16 bit patterns, freed with the object.
public final class BFloat16Buffer: @unchecked Sendable {
    /// The values' bit patterns.
    public let pointer: UnsafeMutablePointer<UInt16>
    /// Number of values.
    public let count: Int

    /// Allocates `count` uninitialised values.
    public init(uninitializedCount count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<UInt16>.stride, alignment: 64)
        pointer = raw.bindMemory(to: UInt16.self, capacity: max(count, 1))
    }

    /// The values of `tensor` rounded to bfloat16 (see ``BFloat16/round(_:into:count:)``).
    public convenience init(rounding tensor: Tensor) {
        self.init(uninitializedCount: tensor.count)
        BFloat16.round(tensor.data, into: pointer, count: count)
    }

    /// The values widened back to float32.
    public var floats: [Float] {
        if count == 0 { return [] }
        return [Float](unsafeUninitializedCapacity: count) { out, n in
            BFloat16.widen(pointer, into: out.baseAddress!, count: count)
            n = count
        }
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}

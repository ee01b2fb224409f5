import XCTest
@testable import DeBERTaTensors

/// float32 → bfloat16 rounding against hand-written bit patterns and against an independent
/// reference (the two neighbouring bfloat16 values compared in Double arithmetic).
final class BFloat16ConversionTests: XCTestCase {
    /// (float32 bits, expected bfloat16 bits), each worked out by hand.
    let specials: [(UInt32, UInt16, String)] = [
        (0x0000_0000, 0x0000, "+0"),
        (0x8000_0000, 0x8000, "-0"),
        (0x7F80_0000, 0x7F80, "+inf"),
        (0xFF80_0000, 0xFF80, "-inf"),
        (0x7FC0_0000, 0x7FC0, "quiet NaN"),
        (0x7F80_0001, 0x7FC0, "signalling NaN whose payload lies in the dropped bits (truncation would give +inf)"),
        (0xFFA0_0000, 0xFFE0, "negative signalling NaN: made quiet, sign kept"),
        (0x7FFF_FFFF, 0x7FFF, "NaN with every payload bit set (rounding up would carry into the sign)"),
        (0x0000_0001, 0x0000, "smallest float32 subnormal rounds to +0"),
        (0x8000_0001, 0x8000, "negative smallest subnormal rounds to -0"),
        (0x0000_8000, 0x0000, "subnormal tie: to even (0)"),
        (0x0000_8001, 0x0001, "subnormal just above the tie"),
        (0x0001_8000, 0x0002, "subnormal tie: to even (2)"),
        (0x0001_0000, 0x0001, "smallest bfloat16 subnormal, exact"),
        (0x007F_FFFF, 0x0080, "largest float32 subnormal rounds up to the smallest normal"),
        (0x3F80_0000, 0x3F80, "1, exact"),
        (0x3F80_8000, 0x3F80, "1 + 2^-8: tie, to even (down)"),
        (0x3F81_8000, 0x3F82, "1 + 3·2^-8: tie, to even (up)"),
        (0x3F80_8001, 0x3F81, "just above a tie"),
        (0x3F80_7FFF, 0x3F80, "just below a tie"),
        (0xBF81_8000, 0xBF82, "negative tie, to even"),
        (0x7F7F_7FFF, 0x7F7F, "just below the largest bfloat16's rounding tie stays finite"),
        (0x7F7F_8000, 0x7F80, "tie between the largest bfloat16 and overflow: to even, +inf"),
        (0x7F7F_FFFF, 0x7F80, "float32 max overflows to +inf"),
        (0xFF7F_FFFF, 0xFF80, "-float32 max overflows to -inf"),
    ]

    func testScalarRoundingOfSpecialValues() {
        for (x, expected, what) in specials {
            let got = BFloat16.bits(Float(bitPattern: x))
            if Float(bitPattern: x).isNaN {
                XCTAssertTrue(BFloat16.float(got).isNaN, what)
            }
            XCTAssertEqual(got, expected, "\(what): 0x\(String(x, radix: 16)) → 0x\(String(got, radix: 16))")
        }
    }

    /// The buffer kernel (AVX-512 body plus scalar tail) at every position of a 16-wide block.
    func testBufferRoundingOfSpecialValuesAtEveryLane() {
        let n = specials.count
        for offset in 0..<17 {
            var src = [Float](repeating: 1.5, count: offset + n + 19)
            for (i, s) in specials.enumerated() { src[offset + i] = Float(bitPattern: s.0) }
            var dst = [UInt16](repeating: 0xAAAA, count: src.count)
            BFloat16.round(src, into: &dst, count: src.count)
            for (i, s) in specials.enumerated() {
                XCTAssertEqual(dst[offset + i], s.1, "offset \(offset): \(s.2)")
            }
            XCTAssertEqual(dst[0..<offset].filter { $0 != 0x3FC0 }.count, 0)
            XCTAssertEqual(dst[(offset + n)...].filter { $0 != 0x3FC0 }.count, 0)
        }
    }

    /// The nearest bfloat16 by Double arithmetic over the two candidates around `x`, ties to an
    /// even last bit (finite, non-NaN `x` only).
    func referenceBits(_ x: Float) -> UInt16 {
        let down = UInt16(x.bitPattern >> 16)  // truncation: toward zero in magnitude
        let up = down &+ 1                       // the next bfloat16 away from zero
        let xd = Double(x)
        let dDown = abs(xd - Double(Float(bitPattern: UInt32(down) << 16)))
        let upValue = Float(bitPattern: UInt32(up) << 16)  // may be ±inf past the largest value
        if upValue.isInfinite {
            // Overflow when x is at least halfway to 2^128 (the value the next step would reach).
            let halfway = (Double(Float(bitPattern: UInt32(down) << 16)).magnitude + pow(2.0, 128)) / 2
            return xd.magnitude >= halfway ? up : down
        }
        let dUp = abs(xd - Double(upValue))
        if dDown < dUp { return down }
        if dUp < dDown { return up }
        return down & 1 == 0 ? down : up
    }

    func testRoundingMatchesDoubleReferenceOnRandomBitPatterns() {
        var state: UInt64 = 0x1234_5678_9ABC_DEF0
        var src: [Float] = []
        while src.count < 300_001 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var bits = UInt32(truncatingIfNeeded: state >> 32)
            // Every fourth value a tie or a near-tie (low 16 bits 0x8000 ± 1).
            if src.count % 4 == 0 { bits = (bits & 0xFFFF_0000) | UInt32(0x7FFF + Int(state % 3)) }
            let x = Float(bitPattern: bits)
            if !x.isNaN && !x.isInfinite { src.append(x) }
        }
        var dst = [UInt16](repeating: 0, count: src.count)
        BFloat16.round(src, into: &dst, count: src.count)
        var mismatches = 0
        for i in 0..<src.count {
            let expected = referenceBits(src[i])
            if dst[i] != expected || BFloat16.bits(src[i]) != expected {
                mismatches += 1
                if mismatches < 5 { XCTFail("0x\(String(src[i].bitPattern, radix: 16)): got 0x\(String(dst[i], radix: 16)), expected 0x\(String(expected, radix: 16))") }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }

    func testWideningIsExact() {
        var bits = [UInt16](0...UInt16.max)
        bits.append(contentsOf: [0x3F80, 0x8001])  // an odd count, so the scalar tail runs too
        var out = [Float](repeating: 0, count: bits.count)
        BFloat16.widen(bits, into: &out, count: bits.count)
        var wrong = 0
        for (b, f) in zip(bits, out) {
            if f.bitPattern != UInt32(b) << 16 || BFloat16.float(b).bitPattern != UInt32(b) << 16 { wrong += 1 }
            // Widening then rounding is the identity for every non-NaN pattern.
            if !f.isNaN && BFloat16.bits(f) != b { wrong += 1 }
        }
        XCTAssertEqual(wrong, 0)
    }

    func testBufferFromTensor() {
        let tiny = Float(bitPattern: 0x0001_1234)  // a subnormal
        let t = Tensor([1, -2.5, 3.140625, tiny, .infinity, 65504.5], shape: [2, 3])
        let b = BFloat16Buffer(rounding: t)
        XCTAssertEqual(b.count, 6)
        XCTAssertEqual(b.floats, [1, -2.5, 3.140625, Float(bitPattern: 0x0001_0000), .infinity, 65536])
        XCTAssertNotEqual(BFloat16.rounded(tiny), 0, "subnormals are kept")
        XCTAssertEqual(BFloat16Buffer(uninitializedCount: 0).floats, [])
    }
}

import Foundation
import XCTest
@testable import DeBERTaCheckpoint

/// The hand-written 16-bit float conversions against the standard library's `Float16` (an independent
/// implementation), exhaustively over all 65 536 bit patterns.
final class HalfPrecisionTests: XCTestCase {
    #if !(os(macOS) && arch(x86_64))
    func testHalfToFloatMatchesFloat16ForEveryBitPattern() {
        for bits in 0...UInt16.max {
            let ours = HalfPrecision.float(fromHalfBits: bits)
            let reference = Float(Float16(bitPattern: bits))
            if reference.isNaN {
                XCTAssertTrue(ours.isNaN, "bits \(bits)")
            } else {
                XCTAssertEqual(ours.bitPattern, reference.bitPattern, "bits \(bits)")
            }
        }
    }

    func testFloatToHalfRoundsLikeFloat16() {
        var generator = SystemRandomNumberGenerator()
        var samples: [Float] = [0, -0, 1, 65504, 65520, 65519.996, 1e-8, 2.9802322e-8, 2.9802326e-8, 5.9604645e-8,
                                6.1035156e-5, 6.1035152e-5, .infinity, -.infinity, .greatestFiniteMagnitude]
        for bits in stride(from: UInt16(0), to: 0x7C00, by: 1) {
            let value = Float(Float16(bitPattern: bits))
            samples += [value, value.nextUp, value.nextDown, -value]
        }
        for _ in 0..<100_000 { samples.append(Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))) }
        for value in samples where !value.isNaN {
            XCTAssertEqual(HalfPrecision.halfBits(from: value), Float16(value).bitPattern, "value \(value)")
        }
        XCTAssertTrue(HalfPrecision.float(fromHalfBits: HalfPrecision.halfBits(from: .nan)).isNaN)
    }
    #endif

    func testBFloat16() {
        XCTAssertEqual(HalfPrecision.float(fromBFloat16Bits: 0x3F80), 1)
        XCTAssertEqual(HalfPrecision.float(fromBFloat16Bits: 0xC2C8), -100)
        XCTAssertEqual(HalfPrecision.float(fromBFloat16Bits: 0x7F80), .infinity)
        XCTAssertTrue(HalfPrecision.float(fromBFloat16Bits: 0x7FC0).isNaN)
        XCTAssertEqual(HalfPrecision.float(fromBFloat16Bits: 0x0001), Float(bitPattern: 0x0001_0000))
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1.00390625), 0x3F80)  // tie rounds to even
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1.01171875), 0x3F82)  // tie rounds up to even
        XCTAssertTrue(HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: .nan)).isNaN)
    }

    /// A converted tensor writes and reads back through safetensors with the dtype's rounding.
    func testConvertedTensorsRoundTrip() throws {
        let values: [Float] = [1, -100, 1.0 / 3, 65520, 1e-8, 0.1]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("half-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.safetensors")
        try SafeTensors.write(["h": StoredTensor(converting: values, shape: [2, 3], to: .f16),
                               "b": StoredTensor(converting: values, shape: [6], to: .bf16),
                               "f": StoredTensor(converting: values, shape: [6], to: .f32)], metadata: nil, to: url)
        let back = try CheckpointFile.loadTensors(from: url)
        XCTAssertEqual(back["h"]?.dtype, .f16)
        XCTAssertEqual(back["h"]?.shape, [2, 3])
        XCTAssertEqual(back["h"]?.floatValues(), values.map { Float(Float16($0)) })  // 65520 → inf, 1e-8 → 0
        XCTAssertEqual(back["b"]?.dtype, .bf16)
        XCTAssertEqual(back["b"]?.floatValues(), [1, -100, 0.333984375, 65536, 1.0011717677116394e-08, 0.10009765625])
        XCTAssertEqual(back["f"]?.floatValues(), values)
    }
}

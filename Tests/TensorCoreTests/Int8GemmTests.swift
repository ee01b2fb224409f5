import DeBERTaKernels
import Foundation
import XCTest
@testable import DeBERTaTensors

/// The dynamically quantized int8 product (`ck_qgemm` through ``Int8PackedWeight``): exact int32
/// sums on the VNNI kernel and the portable loop, the dequantized floats against Double references
/// of the quantized operands, and against the original operands within the quantization bound.
final class Int8GemmTests: XCTestCase {
    /// Activations quantized by `ck_qgemm_quantize_rows`.
    struct Quantized {
        var q: [UInt8], scale: [Float], zeroPoint: [Int32], ld: Int
    }

    func quantize(_ x: [Float], rows: Int, k: Int) -> Quantized {
        let ld = Int(ck_qgemm_row_stride(Int32(k)))
        var r = Quantized(q: [UInt8](repeating: 7, count: rows * ld), scale: [Float](repeating: 0, count: rows),
                          zeroPoint: [Int32](repeating: -1, count: rows), ld: ld)
        ck_qgemm_quantize_rows(x, Int32(rows), Int32(k), Int32(k), &r.q, Int32(ld), &r.scale, &r.zeroPoint)
        return r
    }

    /// Inputs with a spread of row ranges: mixed signs, all negative, all positive, all zero.
    func activations(rows: Int, k: Int, seed: UInt64) -> [Float] {
        var x = randomValues(rows * k, seed: seed)
        for r in 0..<rows {
            for p in 0..<k {
                switch r % 4 {
                case 1: x[r * k + p] = -abs(x[r * k + p]) * 3
                case 2: x[r * k + p] = abs(x[r * k + p]) + 0.5
                case 3 where r % 8 == 7: x[r * k + p] = 0
                default: break
                }
            }
        }
        return x
    }

    /// The kernel's int32 result (`c_int`, row stride n + 3, the 3 extra columns left at a sentinel).
    func int32Product(_ w: Int8PackedWeight, _ a: Quantized, rows: Int, vnni: Bool) -> (values: [Int32], ran: Int32) {
        let n = w.outFeatures, ldc = n + 3
        var c = [Int32](repeating: 0x5A5A_5A5A, count: rows * ldc)
        let ran = a.q.withUnsafeBufferPointer { qp in a.zeroPoint.withUnsafeBufferPointer { zp in
            w.withDescriptor { wd in
                var rd = ck_qrows(q: qp.baseAddress, ld: Int32(a.ld), scale: nil, zero_point: zp.baseAddress)
                return ck_qgemm(wd, &rd, nil, nil, nil, &c, Int32(ldc), 0, Int32(rows), 0, Int32(n), 0, vnni ? 1 : 0)
            }
        } }
        return (c, ran)
    }

    /// Σ_k (q[r, k] − zp[r]) · W[j, k] in Int64.
    func exactReference(_ w: [Int8], _ a: Quantized, rows: Int, n: Int, k: Int) -> [Int64] {
        var out = [Int64](repeating: 0, count: rows * n)
        for r in 0..<rows { for j in 0..<n {
            var s: Int64 = 0
            for p in 0..<k { s += (Int64(a.q[r * a.ld + p]) - Int64(a.zeroPoint[r])) * Int64(w[j * k + p]) }
            out[r * n + j] = s
        } }
        return out
    }

    func paths() -> [Bool] { Int8PackedWeight.hasVNNI ? [true, false] : [false] }

    /// Ragged shapes (rows 1 … 13, k not a multiple of 4 or 64, n not a multiple of 16 or 64):
    /// the int32 sums equal the exact integer reference on both paths, and nothing is written past n.
    func testInt32ProductIsExact() {
        let shapes = [(1, 1), (3, 17), (5, 15), (67, 65), (130, 130), (771, 33), (64, 64), (258, 200)]
        for vnni in paths() {
            for rows in 1...13 {
                let (k, n) = shapes[rows % shapes.count]
                let x = activations(rows: rows, k: k, seed: UInt64(rows)), wf = randomValues(n * k, seed: UInt64(50 + rows))
                let w = Int8PackedWeight(Tensor(wf, shape: [n, k]))
                let a = quantize(x, rows: rows, k: k)
                let (got, ran) = int32Product(w, a, rows: rows, vnni: vnni)
                XCTAssertEqual(ran, vnni ? 1 : 0)
                let ref = exactReference(w.quantizedValues(), a, rows: rows, n: n, k: k)
                for r in 0..<rows {
                    for j in 0..<n where Int64(got[r * (n + 3) + j]) != ref[r * n + j] {
                        XCTFail("rows \(rows) k \(k) n \(n) vnni \(vnni): [\(r), \(j)] \(got[r * (n + 3) + j]) ≠ \(ref[r * n + j])")
                        return
                    }
                    XCTAssertEqual(Array(got[(r * (n + 3) + n)..<((r + 1) * (n + 3))]), [0x5A5A_5A5A, 0x5A5A_5A5A, 0x5A5A_5A5A])
                }
            }
        }
    }

    /// Extreme operands (u8 255 × s8 ±127 everywhere): four products per lane reach 4 · 32 385,
    /// past int16 (a `vpmaddubsw` pair would saturate), and at k = CK_QGEMM_MAX_K the sum is within
    /// 2 000 of Int32.max; both are exact. One more k is refused.
    func testExtremesAreExact() {
        for k in [4099, Int(CK_QGEMM_MAX_K)] {
            let n = 17, rows = 2
            var wf = [Float](repeating: 1, count: n * k)
            for j in 0..<n where j % 2 == 1 { for p in 0..<k { wf[j * k + p] = -2 } }
            let x = [Float](repeating: 3, count: rows * k)
            let w = Int8PackedWeight(Tensor(wf, shape: [n, k]))
            let a = quantize(x, rows: rows, k: k)
            XCTAssertEqual(a.q[0], 255)
            XCTAssertEqual(a.zeroPoint, [0, 0])
            for vnni in paths() {
                let got = int32Product(w, a, rows: rows, vnni: vnni).values
                for r in 0..<rows { for j in 0..<n {
                    XCTAssertEqual(Int64(got[r * (n + 3) + j]), Int64(k) * 255 * (j % 2 == 0 ? 127 : -127), "k \(k) vnni \(vnni)")
                } }
            }
        }
        // The bound is checked before anything is read.
        var c: Int32 = 7
        var w = ck_qweight(n: 1, k: CK_QGEMM_MAX_K + 1, panels: nil, scale: nil, col_sum: nil)
        var a = ck_qrows(q: nil, ld: 0, scale: nil, zero_point: nil)
        XCTAssertEqual(ck_qgemm(&w, &a, nil, nil, nil, &c, 1, 0, 1, 0, 1, 0, 1), -1)
        XCTAssertEqual(c, 7)
    }

    /// Activations: the scale, zero point and bytes of the definition (recomputed here in Float
    /// with ties to even), (q − zp) · scale within scale / 2 of x, zero exact, zp ∈ [0, 255], an
    /// all-zero row with scale 1, zp 0; on lengths below, at and past a vector of 16.
    func testActivationQuantization() {
        for k in [1, 5, 16, 37] {
            let rows = 8, x = activations(rows: rows, k: k, seed: UInt64(9 + k)), a = quantize(x, rows: rows, k: k)
            for r in 0..<rows {
                let row = x[(r * k)..<((r + 1) * k)]
                let lo = min(0, row.min()!), hi = max(0, row.max()!)
                let s: Float = hi > lo ? (hi - lo) / 255 : 1
                let zp = Int32(max(0, min(255, (-lo / s).rounded(.toNearestOrEven))))
                XCTAssertEqual(a.scale[r], s, "k \(k) row \(r)")
                XCTAssertEqual(a.zeroPoint[r], zp, "k \(k) row \(r)")
                let q = row.map { UInt8(max(0, min(255, Int32(($0 / s).rounded(.toNearestOrEven)) + zp))) }
                XCTAssertEqual(Array(a.q[(r * a.ld)..<(r * a.ld + k)]), q, "k \(k) row \(r)")
            }
        }
        let rows = 8, k = 37
        let x = activations(rows: rows, k: k, seed: 9)
        let a = quantize(x, rows: rows, k: k)
        for r in 0..<rows {
            XCTAssert((0...255).contains(a.zeroPoint[r]))
            for p in 0..<k {
                let back = Double(Int32(a.q[r * a.ld + p]) - a.zeroPoint[r]) * Double(a.scale[r])
                XCTAssertLessThanOrEqual(abs(back - Double(x[r * k + p])), Double(a.scale[r]) * 0.50001)
            }
            for p in k..<a.ld { XCTAssertEqual(a.q[r * a.ld + p], 0) }
        }
        XCTAssertEqual(a.scale[7], 1)
        XCTAssertEqual(a.zeroPoint[7], 0)
        XCTAssertEqual(quantize([0, -1, 2], rows: 1, k: 3).q[0], UInt8(quantize([0, -1, 2], rows: 1, k: 3).zeroPoint[0]))
    }

    /// The float result against Double references: of the quantized operands (dequantized), within
    /// float32 rounding, with bias, residual and GELU; VNNI and portable floats agree bit for bit
    /// without GELU; and of the original operands within the quantization bound
    /// Σ_k (|x_k| Δw + |w_k| Δx + Δx Δw), Δ = scale / 2.
    func testFloatProductAgainstReferences() {
        let saved = Threading.workers
        defer { Threading.setThreads(saved) }
        for (rows, n, k) in [(1, 1, 1), (7, 65, 3), (13, 130, 771), (16, 200, 700), (30, 64, 250)] {
            let xf = activations(rows: rows, k: k, seed: UInt64(rows * 31 + k)), wf = randomValues(n * k, seed: UInt64(n))
            let bias = randomValues(n, seed: 77), residual = randomValues(rows * n, seed: 78)
            let w = Int8PackedWeight(Tensor(wf, shape: [n, k]))
            let wq = w.quantizedValues()
            let a = quantize(xf, rows: rows, k: k)
            // Per entry: the Double product of the dequantized operands (and Σ of its |terms|), of
            // the original operands, and the quantization bound.
            var dq = [Double](repeating: 0, count: rows * n), magnitude = dq, original = dq, bound = dq
            for r in 0..<rows { for j in 0..<n {
                let sx = Double(a.scale[r]), sw = Double(w.scales[j]), e = r * n + j
                for p in 0..<k {
                    let xq = Double(Int32(a.q[r * a.ld + p]) - a.zeroPoint[r]) * sx, wqd = Double(wq[j * k + p]) * sw
                    let x = Double(xf[r * k + p]), wv = Double(wf[j * k + p])
                    dq[e] += xq * wqd
                    magnitude[e] += abs(xq * wqd)
                    original[e] += x * wv
                    bound[e] += abs(x) * sw / 2 + abs(wv) * sx * 0.50001 + sx * sw / 4
                }
            } }
            for gelu in [false, true] {
                var results: [[Float]] = []
                for vnni in paths() { for threads in [1, 2] {
                    Threading.setThreads(threads)
                    var out = [Float](repeating: .nan, count: rows * n)
                    w.product(xf, rows: rows, bias: bias, residual: gelu ? residual : nil, gelu: gelu, vnni: vnni, into: &out)
                    results.append(out)
                } }
                if !gelu { for other in results.dropFirst() { XCTAssertEqual(other, results[0], "rows \(rows) n \(n) k \(k)") } }
                func g(_ v: Double) -> Double { gelu ? 0.5 * v * (1 + erf(v / 2.0.squareRoot())) : v }
                for out in results { for r in 0..<rows { for j in 0..<n {
                    let e = r * n + j
                    let extra = Double(bias[j]) + (gelu ? Double(residual[e]) : 0)
                    let got = Double(out[e]), rounding = 3e-7 * (magnitude[e] + abs(extra) + 1e-3)
                    XCTAssertEqual(got, g(dq[e] + extra), accuracy: rounding + (gelu ? 1e-7 : 0), "quantized: rows \(rows) n \(n) k \(k) [\(r), \(j)]")
                    // GELU's slope is below 1.13, so it at most scales the bound.
                    XCTAssertEqual(got, g(original[e] + extra), accuracy: (gelu ? 1.13 : 1) * bound[e] + rounding + 1e-7,
                                   "original: rows \(rows) n \(n) k \(k) [\(r), \(j)]")
                } } }
            }
        }
    }

    /// The Tensor form: `x · Wᵀ + bias` equals the pointer form.
    func testTensorProduct() {
        let x = Tensor(randomValues(5 * 20, seed: 1), shape: [5, 20]), b = Tensor(randomValues(9, seed: 2), shape: [9])
        let w = Int8PackedWeight(Tensor(randomValues(9 * 20, seed: 3), shape: [9, 20]))
        let y = w.product(x, bias: b)
        XCTAssertEqual(y.shape, [5, 9])
        var out = [Float](repeating: 0, count: 45)
        w.product(x.data, rows: 5, bias: b.data, into: &out)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: y.data, count: 45)), out)
    }
}

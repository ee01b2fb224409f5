import DeBERTaKernels
import Foundation
import XCTest
@testable import DeBERTaTensors

/// The packed-weight product kernel (`ck_sgemm_packed` through ``PackedWeight``) and its use by
/// `linear` for constant weights with a ``WeightCache``, against Double references.
final class PackedWeightTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(PackedWeight.isAvailable, "the packed kernel needs AVX-512")
    }

    /// `x · wᵀ (+ bias)` in Double for row-major `x` [rows, k], `w` [n, k], with Σ|x||w| per entry.
    func reference(_ x: [Float], _ w: [Float], bias: [Float]?, rows: Int, n: Int, k: Int) -> (values: [Double], magnitude: [Double]) {
        var v = [Double](repeating: 0, count: rows * n), mag = v
        for r in 0..<rows { for j in 0..<n {
            var s = Double(bias?[j] ?? 0), m = abs(s)
            for p in 0..<k {
                let t = Double(x[r * k + p]) * Double(w[j * k + p])
                s += t
                m += abs(t)
            }
            v[r * n + j] = s
            mag[r * n + j] = m
        } }
        return (v, mag)
    }

    /// Largest |got − expected| / (1e-5 · magnitude): ≤ 1 when only float32 accumulation differs.
    func worstError(_ got: [Float], _ ref: (values: [Double], magnitude: [Double])) -> Double {
        zip(got.indices, got).reduce(0.0) { worst, e in
            max(worst, abs(Double(e.1) - ref.values[e.0]) / (1e-5 * ref.magnitude[e.0] + 1e-30))
        }
    }

    /// Edge shapes: a single element, partial panels (n not a multiple of 64), partial row tiles
    /// (rows not a multiple of 6), several k blocks (k > 768) with and without bias, on one and two
    /// threads, split by panels (640 columns) and by rows (one panel, 600 rows).
    func testProductMatchesDoubleReference() {
        let saved = Threading.workers
        defer { Threading.setThreads(saved) }
        let shapes = [(1, 1, 1), (7, 65, 3), (13, 130, 800), (6, 64, 768), (25, 200, 1600), (40, 640, 100), (600, 64, 64)]
        for threads in [1, 2] {
            Threading.setThreads(threads)
            for (i, (rows, n, k)) in shapes.enumerated() {
                let x = randomValues(rows * k, seed: UInt64(100 + i)), w = randomValues(n * k, seed: UInt64(200 + i))
                let packed = PackedWeight(Tensor(w, shape: [n, k]))
                for bias in [nil, randomValues(n, seed: UInt64(300 + i))] {
                    var out = [Float](repeating: .nan, count: rows * n)
                    let ran = x.withUnsafeBufferPointer { xp in
                        out.withUnsafeMutableBufferPointer { op in
                            bias.map { b in b.withUnsafeBufferPointer { packed.product(xp.baseAddress!, rows: rows, bias: $0.baseAddress, into: op.baseAddress!) } }
                                ?? packed.product(xp.baseAddress!, rows: rows, bias: nil, into: op.baseAddress!)
                        }
                    }
                    XCTAssertTrue(ran)
                    let worst = worstError(out, reference(x, w, bias: bias, rows: rows, n: n, k: k))
                    XCTAssertLessThanOrEqual(worst, 1, "rows \(rows), n \(n), k \(k), bias \(bias != nil), threads \(threads)")
                }
            }
        }
    }

    /// A call for a block of rows and panels writes exactly that block of C.
    func testWritesOnlyItsBlock() {
        let rows = 20, n = 150, k = 37, ldc = 160
        let x = randomValues(rows * k, seed: 5), w = randomValues(n * k, seed: 6)
        let packedCount = ck_sgemm_packed_size(Int32(n), Int32(k))
        let packed = UnsafeMutableRawPointer.allocate(byteCount: packedCount * 4, alignment: 64).bindMemory(to: Float.self, capacity: packedCount)
        defer { packed.deallocate() }
        ck_sgemm_pack(w, Int32(n), Int32(k), packed)
        var c = [Float](repeating: -7, count: rows * ldc)
        // rows 5 ..< 17, columns 64 ..< 150 (the second panel and the partial third).
        let ran = ck_sgemm_packed(Int32(n), Int32(k), x, Int32(k), packed, nil, nil, &c, Int32(ldc), 5, 17, 64, Int32(n), 0)
        XCTAssertEqual(ran, 1)
        let ref = reference(x, w, bias: nil, rows: rows, n: n, k: k)
        for r in 0..<rows { for j in 0..<ldc {
            let got = c[r * ldc + j]
            if (5..<17).contains(r) && (64..<n).contains(j) {
                XCTAssertEqual(Double(got), ref.values[r * n + j], accuracy: 1e-5 * ref.magnitude[r * n + j])
            } else {
                XCTAssertEqual(got, -7, "row \(r), column \(j) is outside the block")
            }
        } }
    }

    /// The per-head product: `alpha · A · Bᵀ` (B `[n, k]`) and `alpha · A · B` (B `[k, n]`), with row
    /// strides wider than the rows (heads read in place), partial panels and a k beyond one block.
    func testSmallProductBothLayouts() {
        for (m, n, k) in [(5, 3, 2), (13, 70, 64), (7, 129, 800)] {
            let lda = k + 3, ldb = (n > k ? n : k) + 5, ldc = n + 2
            let a = randomValues(m * lda, seed: 51), b = randomValues(max(n, k) * ldb, seed: 52)
            for transB in [true, false] {
                var c = [Float](repeating: 9, count: m * ldc)
                let ran = ck_sgemm_small(Int32(m), Int32(n), Int32(k), 0.125, a, Int32(lda), b, Int32(ldb), transB ? 1 : 0, &c, Int32(ldc))
                XCTAssertEqual(ran, 1)
                for i in 0..<m { for j in 0..<ldc {
                    guard j < n else { XCTAssertEqual(c[i * ldc + j], 9, "column \(j) is outside C"); continue }
                    var s = 0.0, mag = 0.0
                    for p in 0..<k {
                        let t = Double(a[i * lda + p]) * Double(transB ? b[j * ldb + p] : b[p * ldb + j])
                        s += t
                        mag += abs(t)
                    }
                    XCTAssertEqual(Double(c[i * ldc + j]), 0.125 * s, accuracy: 1e-5 * 0.125 * mag, "m \(m) n \(n) k \(k) transB \(transB)")
                } }
            }
        }
    }

    /// GELU fused into the product (inference: a weight cache, nothing records gradients) against the
    /// Double reference passed through erf-GELU, over two k blocks (k = 900) so that only the last
    /// block's store applies it; with an input that records gradients the unfused path runs and the
    /// gradient flows.
    func testFusedGELUMatchesReference() {
        let rows = 8, inF = 900, outF = 70
        let xv = randomValues(rows * inF, seed: 71), wv = randomValues(outF * inF, seed: 72).map { $0 * 0.05 }
        let bv = randomValues(outF, seed: 73)
        let w = Tensor(wv, shape: [outF, inF]), b = Tensor(bv, shape: [outF])
        let ref = reference(xv, wv, bias: bv, rows: rows, n: outF, k: inF)
        func gelu(_ v: Double) -> Double { 0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot())) }
        let cache = WeightCache()
        let fused = linear(Tensor(xv, shape: [rows, inF]), weight: w, bias: b, activation: .gelu, cache: cache)
        XCTAssertGreaterThan(cache.byteCount, 0, "the packed product ran")
        let x = Tensor(xv, shape: [rows, inF]).requiringGrad()
        let unfused = linear(x, weight: w, bias: b, activation: .gelu, cache: cache)
        for i in 0..<(rows * outF) {
            XCTAssertEqual(Double(fused.data[i]), gelu(ref.values[i]), accuracy: 1e-5 * ref.magnitude[i] + 1e-6, "fused \(i)")
            XCTAssertEqual(Double(unfused.data[i]), gelu(ref.values[i]), accuracy: 1e-5 * ref.magnitude[i] + 1e-6, "unfused \(i)")
        }
        sum(unfused).backward()
        XCTAssertNotNil(x.grad)
    }

    /// The residual added inside the product (inference), over two k blocks, against Double; with an
    /// input that records gradients the unfused path runs and the residual's gradient is the output's.
    func testFusedResidualMatchesReference() {
        let rows = 7, inF = 800, outF = 130
        let xv = randomValues(rows * inF, seed: 81), wv = randomValues(outF * inF, seed: 82)
        let bv = randomValues(outF, seed: 83), rv = randomValues(rows * outF, seed: 84)
        let w = Tensor(wv, shape: [outF, inF]), b = Tensor(bv, shape: [outF])
        let ref = reference(xv, wv, bias: bv, rows: rows, n: outF, k: inF)
        let cache = WeightCache()
        let fused = linear(Tensor(xv, shape: [rows, inF]), weight: w, bias: b, adding: Tensor(rv, shape: [rows, outF]), cache: cache)
        XCTAssertGreaterThan(cache.byteCount, 0, "the packed product ran")
        let residual = Tensor(rv, shape: [rows, outF]).requiringGrad()
        let unfused = linear(Tensor(xv, shape: [rows, inF]).requiringGrad(), weight: w, bias: b, adding: residual, cache: cache)
        for i in 0..<(rows * outF) {
            let expected = ref.values[i] + Double(rv[i])
            XCTAssertEqual(Double(fused.data[i]), expected, accuracy: 1e-5 * ref.magnitude[i] + 1e-6, "fused \(i)")
            XCTAssertEqual(Double(unfused.data[i]), expected, accuracy: 1e-5 * ref.magnitude[i] + 1e-6, "unfused \(i)")
        }
        sum(unfused).backward()
        XCTAssertEqual(residual.grad?.scalars, [Float](repeating: 1, count: rows * outF))
    }

    /// `linear` with a weight cache packs a constant weight once, follows in-place changes of it
    /// (version), and leaves weights that are being trained to `sgemm`, whose gradients stay right.
    func testLinearUsesCachedPackedWeightForConstantWeights() {
        let rows = 9, inF = 70, outF = 90
        let xv = randomValues(rows * inF, seed: 31), wv = randomValues(outF * inF, seed: 32), bv = randomValues(outF, seed: 33)
        let x = Tensor(xv, shape: [3, 3, inF]), w = Tensor(wv, shape: [outF, inF]), b = Tensor(bv, shape: [outF])
        let cache = WeightCache()
        let y = linear(x, weight: w, bias: b, cache: cache)
        XCTAssertEqual(y.shape, [3, 3, outF])
        let packed = cache.packed(w)
        XCTAssertNotNil(packed)
        XCTAssertEqual(cache.byteCount, packed!.byteCount)
        XCTAssertTrue(cache.packed(w) === packed, "an unchanged weight is packed once")
        XCTAssertLessThanOrEqual(worstError(y.scalars, reference(xv, wv, bias: bv, rows: rows, n: outF, k: inF)), 1)

        let newValues = randomValues(outF * inF, seed: 34)
        for i in 0..<w.count { w.data[i] = newValues[i] }
        w.storage.markModified()
        let y2 = linear(x, weight: w, bias: b, cache: cache)
        XCTAssertFalse(cache.packed(w) === packed, "a changed weight is packed again")
        XCTAssertLessThanOrEqual(worstError(y2.scalars, reference(xv, newValues, bias: bv, rows: rows, n: outF, k: inF)), 1,
                                 "the weight is packed again after it changed")

        let trained = Tensor(wv, shape: [outF, inF]).requiringGrad()
        let trainedCache = WeightCache()
        let y3 = linear(x, weight: trained, bias: b, cache: trainedCache)
        XCTAssertEqual(trainedCache.byteCount, 0, "weights that record gradients are not packed")
        XCTAssertLessThanOrEqual(worstError(y3.scalars, reference(xv, wv, bias: bv, rows: rows, n: outF, k: inF)), 1)
        sum(y3).backward()
        for j in [0, 45, 89] { for p in [0, 69] {
            let expected = (0..<rows).reduce(0.0) { $0 + Double(xv[$1 * inF + p]) }
            XCTAssertEqual(Double(trained.grad!.scalars[j * inF + p]), expected, accuracy: 1e-4)
        } }
    }
}

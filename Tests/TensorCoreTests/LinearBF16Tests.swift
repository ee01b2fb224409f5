import DeBERTaTestSupport
import XCTest
@testable import DeBERTaTensors

/// `linear` with bf16 matrix products: forward and both backward products against Double
/// references of the bfloat16-rounded operands, and within bfloat16 tolerance of float32.
final class LinearBF16Tests: XCTestCase {
    let rows = 15, inF = 40, outF = 24

    /// `Σ_p a[i, p] · b[p, j]` in Double for row-major `a` [m, k] and `b` [k, n], with Σ|a||b|.
    func product(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> (values: [Double], magnitude: [Double]) {
        var v = [Double](repeating: 0, count: m * n), mag = v
        for i in 0..<m { for j in 0..<n { for p in 0..<k {
            let t = Double(a[i * k + p]) * Double(b[p * n + j])
            v[i * n + j] += t
            mag[i * n + j] += abs(t)
        } } }
        return (v, mag)
    }

    func transpose(_ a: [Float], rows: Int, cols: Int) -> [Float] {
        var t = [Float](repeating: 0, count: a.count)
        for r in 0..<rows { for c in 0..<cols { t[c * rows + r] = a[r * cols + c] } }
        return t
    }

    /// Largest |got − expected| / (1e-5 · magnitude + 1e-30): ≤ 1 when only float32 accumulation differs.
    func relativeError(_ got: [Float], _ expected: [Double], _ magnitude: [Double], plus offset: [Double]? = nil) -> Double {
        var worst = 0.0
        for i in 0..<got.count {
            let e = expected[i] + (offset?[i] ?? 0)
            worst = max(worst, abs(Double(got[i]) - e) / (1e-5 * (magnitude[i] + abs(offset?[i] ?? 0)) + 1e-30))
        }
        return worst
    }

    func testForwardAndBackwardAgainstRoundedReference() throws {
        try requireOneDNN()
        let xv = randomValues(rows * inF, seed: 11), wv = randomValues(outF * inF, seed: 12).map { $0 * 0.2 }
        let bv = randomValues(outF, seed: 13), gv = randomValues(rows * outF, seed: 14)
        let x = Tensor(xv, shape: [3, 5, inF]).requiringGrad()
        let w = Tensor(wv, shape: [outF, inF]).requiringGrad()
        let b = Tensor(bv, shape: [outF]).requiringGrad()
        let y = linear(x, weight: w, bias: b, precision: .bf16)
        sum(y * Tensor(gv, shape: [3, 5, outF])).backward()   // dL/dy = g
        XCTAssertEqual(y.shape, [3, 5, outF])
        let xr = roundedToBF16(xv), wr = roundedToBF16(wv), gr = roundedToBF16(gv)
        // y = x·Wᵀ + b
        let fwd = product(xr, transpose(wr, rows: outF, cols: inF), m: rows, k: inF, n: outF)
        let biasRows = (0..<rows * outF).map { Double(bv[$0 % outF]) }
        XCTAssertLessThanOrEqual(relativeError(y.scalars, fwd.values, fwd.magnitude, plus: biasRows), 1)
        // dX = G·W, dW = Gᵀ·X, db = Σ_rows G (float32 sums of the unrounded gradient)
        let dx = product(gr, wr, m: rows, k: outF, n: inF)
        XCTAssertLessThanOrEqual(relativeError(x.grad!.scalars, dx.values, dx.magnitude), 1)
        let dw = product(transpose(gr, rows: rows, cols: outF), xr, m: outF, k: rows, n: inF)
        XCTAssertLessThanOrEqual(relativeError(w.grad!.scalars, dw.values, dw.magnitude), 1)
        for o in 0..<outF {
            let s = (0..<rows).reduce(0.0) { $0 + Double(gv[$1 * outF + o]) }
            XCTAssertEqual(Double(b.grad!.scalars[o]), s, accuracy: 1e-5)
        }

        // Within bfloat16 tolerance of the float32 layer (inputs rounded to 8 significant bits:
        // relative error ≲ 2·2^-9 per product), and not equal to it (the bf16 path ran).
        let x32 = Tensor(xv, shape: [3, 5, inF]).requiringGrad(), w32 = Tensor(wv, shape: [outF, inF]).requiringGrad()
        let y32 = linear(x32, weight: w32, bias: b.detached())
        sum(y32 * Tensor(gv, shape: [3, 5, outF])).backward()
        for (name, got, ref, mag) in [("y", y.scalars, y32.scalars, fwd.magnitude), ("dX", x.grad!.scalars, x32.grad!.scalars, dx.magnitude),
                                      ("dW", w.grad!.scalars, w32.grad!.scalars, dw.magnitude)] {
            var worst: Float = 0
            for i in 0..<got.count { worst = max(worst, abs(got[i] - ref[i]) / Float(mag[i] * 2 * 0.00390625 + 1e-30)) }
            XCTAssertLessThanOrEqual(worst, 1, "\(name) vs float32")
            XCTAssertNotEqual(got, ref, "\(name): identical to float32, so bf16 was not used")
        }
    }

    func testConstantWeightCacheFollowsVersion() throws {
        try requireOneDNN()
        let xv = randomValues(rows * inF, seed: 21)
        let x = Tensor(xv, shape: [rows, inF])
        let w = Tensor(randomValues(outF * inF, seed: 22), shape: [outF, inF])
        let cache = WeightCache()
        let first = linear(x, weight: w, bias: nil, precision: .bf16, cache: cache).scalars
        XCTAssertTrue(cache.bfloat16(w) === cache.bfloat16(w), "an unchanged weight is rounded once")
        // Rewrite the weight in place, as an optimizer step does, and say so.
        let newValues = randomValues(outF * inF, seed: 23)
        for i in 0..<w.count { w.data[i] = newValues[i] }
        w.storage.markModified()
        let second = linear(x, weight: w, bias: nil, precision: .bf16, cache: cache).scalars
        XCTAssertNotEqual(first, second)
        let ref = product(roundedToBF16(xv), transpose(roundedToBF16(newValues), rows: outF, cols: inF), m: rows, k: inF, n: outF)
        XCTAssertLessThanOrEqual(relativeError(second, ref.values, ref.magnitude), 1, "the refreshed copy is used")
    }

    func testLinearWithEmptyInputsInBF16() throws {
        try requireOneDNN()
        let fallbacks = MatmulPrecision.bf16Fallbacks
        let empty = linear(Tensor.zeros([0, 4]), weight: Tensor.zeros([3, 4]), bias: nil, precision: .bf16)
        let zeroWidth = linear(Tensor.zeros([2, 0]), weight: Tensor.zeros([3, 0]), bias: Tensor([1, 2, 3], shape: [3]), precision: .bf16)
        XCTAssertEqual(empty.shape, [0, 3])
        XCTAssertEqual(zeroWidth.scalars, [1, 2, 3, 1, 2, 3], "no inputs: the bias alone")
        XCTAssertEqual(MatmulPrecision.bf16Fallbacks, fallbacks, "handled by the bf16 path, no float32 fallback")
        let zeroWidth32 = linear(Tensor.zeros([2, 0]), weight: Tensor.zeros([3, 0]), bias: Tensor([1, 2, 3], shape: [3]))
        XCTAssertEqual(zeroWidth32.scalars, [1, 2, 3, 1, 2, 3], "float32 agrees")
    }

    func testFloat32PathUntouchedByDefault() {
        let x = Tensor([1 + 1.0 / 512, 2], shape: [1, 2]), w = Tensor([1, 0], shape: [1, 2])
        XCTAssertEqual(linear(x, weight: w, bias: nil).scalars, [1 + 1.0 / 512], "float32 keeps bits bf16 would drop")
    }
}

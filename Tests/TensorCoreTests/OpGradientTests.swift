import Foundation
import XCTest
@testable import DeBERTaTensors

final class OpGradientTests: XCTestCase {
    func testMatmulAllTransposes() {
        for ta in [false, true] {
            for tb in [false, true] {
                let a = randomTensor(ta ? [2, 4, 3] : [2, 3, 4], key: 1)
                let b = randomTensor(tb ? [2, 5, 4] : [2, 4, 5], key: 2)
                checkGradients([a, b]) { matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }
                let shared = randomTensor(tb ? [5, 4] : [4, 5], key: 3)
                checkGradients([a, shared]) { matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }
            }
        }
    }

    func testMatmulValues() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = Tensor([7, 8, 9, 10, 11, 12], shape: [3, 2])
        XCTAssertEqual(matmul(a, b).scalars, [58, 64, 139, 154])
        XCTAssertEqual(matmul(a, a, transposeB: true).scalars, [14, 32, 32, 77])
    }

    func testLinear() {
        let x = randomTensor([2, 3, 4], key: 4), w = randomTensor([5, 4], key: 5), b = randomTensor([5], key: 6)
        checkGradients([x, w, b]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        let y = linear(Tensor([1, 2], shape: [1, 2]), weight: Tensor([1, 0, 0, 1, 1, 1], shape: [3, 2]), bias: Tensor([0.5, 0, -1], shape: [3]))
        XCTAssertEqual(y.scalars, [1.5, 2, 2])
    }

    func testHeadScoresAndContext() {
        let q = randomTensor([2, 3, 8], key: 7), k = randomTensor([2, 5, 8], key: 8)
        checkGradients([q, k]) { headScores($0[0], $0[1], heads: 2, alpha: 0.5) }
        let shared = randomTensor([6, 8], key: 9)
        checkGradients([q, shared]) { headScores($0[0], $0[1], heads: 4) }
        let p = randomTensor([2, 2, 3, 5], key: 10), v = randomTensor([2, 5, 8], key: 11)
        checkGradients([p, v]) { headContext($0[0], $0[1]) }
        // Value check: head 1 of a 2-head product uses features 4..<8 only.
        let a = Tensor((0..<8).map { Float($0) }, shape: [1, 1, 8])
        let s = headScores(a, a, heads: 2)
        XCTAssertEqual(s.scalars, [14, 126])
    }

    func testElementwiseAndActivations() {
        let a = randomTensor([3, 4], key: 12), b = randomTensor([3, 4], key: 13)
        checkGradients([a, b]) { $0[0] + $0[1] }
        checkGradients([a, b]) { $0[0] - $0[1] }
        checkGradients([a, b]) { $0[0] * $0[1] }
        checkGradients([a]) { $0[0] * 2.5 }
        for act in [Activation.gelu, .geluTanh, .tanh, .silu, .sigmoid] {
            checkGradients([a], h: 1e-3) { activate($0[0], act) }
        }
        XCTAssertEqual(gelu(Tensor([1], shape: [1])).item, 0.8413447, accuracy: 1e-6)
        XCTAssertEqual(gelu(Tensor([-2], shape: [1])).item, -0.04550026, accuracy: 1e-7)
    }

    func testScaleRowsSelectAndReshape() {
        let x = randomTensor([2, 3, 4], key: 14)
        let mask = Tensor([1, 0, 1, 1, 1, 0], shape: [2, 3])
        checkGradients([x]) { scaleRows($0[0], by: mask) }
        checkGradients([x]) { selectPosition($0[0], 1) }
        checkGradients([x]) { reshape($0[0], [6, 4]) }
    }

    func testLayerNorm() {
        let x = randomTensor([3, 6], key: 15), g = randomTensor([6], key: 16), b = randomTensor([6], key: 17)
        checkGradients([x, g, b], h: 1e-3) { layerNorm($0[0], gamma: $0[1], beta: $0[2], eps: 1e-7) }
        let y = layerNorm(Tensor([1, 2, 3, 4], shape: [1, 4]), gamma: Tensor(repeating: 1, shape: [4]), beta: Tensor.zeros([4]), eps: 0)
        let s = Float(1.25).squareRoot()
        for (v, e) in zip(y.scalars, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]) { XCTAssertEqual(v, e, accuracy: 1e-6) }
    }

    func testMaskedSoftmax() {
        let x = randomTensor([2, 2, 3, 4], key: 18)
        let q = Tensor([1, 1, 0, 1, 1, 1], shape: [2, 3])
        let k = Tensor([1, 1, 1, 0, 1, 0, 1, 1], shape: [2, 4])
        checkGradients([x], h: 1e-3) { maskedSoftmax($0[0], queryMask: q, keyMask: k) }
        let p = maskedSoftmax(x, queryMask: q, keyMask: k)
        // Row (b0, h0, i0): key 3 masked, the rest sum to 1.
        XCTAssertEqual(p.data[3], 0)
        XCTAssertEqual(p.data[0] + p.data[1] + p.data[2], 1, accuracy: 1e-6)
        // Padded query row (b0, h0, i2) is uniform.
        XCTAssertEqual(Array(p.scalars[8..<12]), [0.25, 0.25, 0.25, 0.25])
        let e = [Float(1), 2, 3].map { exp($0) }
        let plain = softmax(Tensor([1, 2, 3], shape: [3]))
        for (v, ev) in zip(plain.scalars, e) { XCTAssertEqual(v, ev / e.reduce(0, +), accuracy: 1e-6) }
    }

    /// A `[B, M, N]` pair key mask (one key mask per query, as a `[B, N, N]` attention mask gives):
    /// gradients, per-row masking, a row with no key kept (uniform), and the outer product of token
    /// masks giving exactly the `[B, N]` result.
    func testMaskedSoftmaxPairMask() {
        let x = randomTensor([2, 2, 3, 4], key: 19)
        let q = Tensor([Float](repeating: 1, count: 6), shape: [2, 3])
        let pairs: [Float] = [1, 0, 1, 1,  0, 1, 0, 0,  0, 0, 0, 0,
                              1, 1, 1, 1,  1, 0, 0, 1,  0, 1, 1, 0]
        let k = Tensor(pairs, shape: [2, 3, 4])
        checkGradients([x], h: 1e-3) { maskedSoftmax($0[0], queryMask: q, keyMask: k) }
        let p = maskedSoftmax(x, queryMask: q, keyMask: k)
        for b in 0..<2 {
            for h in 0..<2 {
                for i in 0..<3 {
                    let row = Array(p.scalars[(((b * 2 + h) * 3 + i) * 4)..<(((b * 2 + h) * 3 + i) * 4 + 4)])
                    let kept = (0..<4).map { pairs[(b * 3 + i) * 4 + $0] != 0 }
                    if !kept.contains(true) {
                        XCTAssertEqual(row, [0.25, 0.25, 0.25, 0.25], "b \(b) i \(i): no key kept, uniform")
                        continue
                    }
                    for j in 0..<4 where !kept[j] { XCTAssertEqual(row[j], 0, "b \(b) h \(h) i \(i) j \(j)") }
                    XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-6)
                }
            }
        }
        // Token masks [B, N] (queries and keys alike) and their outer product as pairs agree exactly.
        let tokens: [Float] = [1, 1, 1, 0, 1, 1, 0, 0]
        let square = randomTensor([2, 2, 4, 4], key: 20)
        let outer = (0..<32).map { (e: Int) -> Float in
            let b = e / 16, i = (e / 4) % 4, j = e % 4
            return tokens[b * 4 + i] * tokens[b * 4 + j]
        }
        let a = maskedSoftmax(square, queryMask: Tensor(tokens, shape: [2, 4]), keyMask: Tensor(tokens, shape: [2, 4]))
        let c = maskedSoftmax(square, queryMask: Tensor(repeating: 1, shape: [2, 4]), keyMask: Tensor(outer, shape: [2, 4, 4]))
        XCTAssertEqual(a.scalars, c.scalars)
    }

    /// Rows of 37 and 768 values (vector tails, v3-base width) against Double, in inference (no
    /// gradient: normalised values not kept) and with gradients recorded.
    func testLayerNormLongRowsAgainstDouble() {
        for width in [37, 768] {
            let rows = 3
            let x = randomTensor([rows, width], key: 60).scalars.map { $0 * 3 + 1 }
            let gamma = randomTensor([width], key: 61), beta = randomTensor([width], key: 62)
            for recording in [false, true] {
                let input = Tensor(x, shape: [rows, width])
                let y = layerNorm(recording ? input.requiringGrad() : input, gamma: gamma, beta: beta, eps: 1e-7)
                for r in 0..<rows {
                    let row = x[(r * width)..<((r + 1) * width)].map(Double.init)
                    let mean = row.reduce(0, +) / Double(width)
                    let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(width)
                    for j in 0..<width {
                        let expected = (row[j] - mean) / (variance + 1e-7).squareRoot() * Double(gamma.data[j]) + Double(beta.data[j])
                        XCTAssertEqual(Double(y.data[r * width + j]), expected, accuracy: 2e-5, "width \(width), row \(r), \(j)")
                    }
                }
            }
        }
    }

    /// Rows longer than one vector with a partial tail (n = 37), masked keys across the vector
    /// boundary, and a batch whose keys are all masked, forward and backward against Double.
    func testMaskedSoftmaxLongRowsAgainstDouble() {
        let n = 37, m = 3, heads = 2
        let x = randomTensor([2, heads, m, n], key: 40)
        let keyValues: [Float] = (0..<n).map { [3, 15, 16, 17, 36].contains($0) ? 0 : 1 } + [Float](repeating: 0, count: n)
        let k = Tensor(keyValues, shape: [2, n]), q = Tensor([Float](repeating: 1, count: 2 * m), shape: [2, m])
        let leaf = x.requiringGrad()
        let p = maskedSoftmax(leaf, queryMask: q, keyMask: k)
        let g = randomTensor([2, heads, m, n], key: 41)
        sum(p * g).backward()
        for row in 0..<(2 * heads * m) {
            let b = row / (heads * m), base = row * n
            let keys = (0..<n).map { keyValues[b * n + $0] != 0 }
            guard keys.contains(true) else {
                for j in 0..<n { XCTAssertEqual(p.data[base + j], 1 / Float(n), "no key: uniform") }
                continue
            }
            let mx = (0..<n).filter { keys[$0] }.map { Double(x.data[base + $0]) }.max()!
            let e = (0..<n).map { keys[$0] ? Foundation.exp(Double(x.data[base + $0]) - mx) : 0 }
            let total = e.reduce(0, +)
            let y = e.map { $0 / total }
            let dot = (0..<n).reduce(0.0) { $0 + y[$1] * Double(g.data[base + $1]) }
            for j in 0..<n {
                XCTAssertEqual(Double(p.data[base + j]), y[j], accuracy: 1e-6 * max(y[j], 1e-3), "row \(row), key \(j)")
                XCTAssertEqual(Double(leaf.grad!.data[base + j]), y[j] * (Double(g.data[base + j]) - dot), accuracy: 1e-6, "dx row \(row), key \(j)")
            }
        }
    }

    func testEmbeddingPaddingRowGetsNoGradient() {
        let table = randomTensor([5, 3], key: 19)
        let ids = IndexTensor([0, 2, 2, 4, 0, 1], shape: [2, 3])
        checkGradients([table]) { embedding($0[0], ids) }
        let leaf = table.requiringGrad()
        sum(embedding(leaf, ids, paddingIndex: 0)).backward()
        XCTAssertEqual(Array(leaf.grad!.scalars[0..<3]), [0, 0, 0])
        XCTAssertEqual(Array(leaf.grad!.scalars[6..<9]), [2, 2, 2])
    }

    func testRelativeScoresAndGather() {
        let content = randomTensor([2, 2, 3, 4], key: 20)
        let c2p = randomTensor([2, 2, 3, 5], key: 21), p2c = randomTensor([2, 2, 4, 5], key: 22)
        let index = IndexTensor((0..<12).map { Int32(($0 * 7) % 5) }, shape: [3, 4])
        checkGradients([content, c2p, p2c]) { addRelativeScores($0[0], c2p: $0[1], p2c: $0[2], index: index) }
        checkGradients([c2p]) { gatherLastAxis($0[0], index: IndexTensor((0..<6).map { Int32($0 % 5) }, shape: [3, 2])) }
        // Hand-computed element: out[0,0,1,2] = content + c2p[.., 1, idx] + p2c[.., 2, idx].
        let out = addRelativeScores(content, c2p: c2p, p2c: p2c, index: index)
        let idx = Int(index.values[1 * 4 + 2])
        XCTAssertEqual(out.data[1 * 4 + 2], content.data[6] + c2p.data[1 * 5 + idx] + p2c.data[2 * 5 + idx], accuracy: 1e-6)
    }

    func testConv1d() {
        let x = randomTensor([2, 5, 4], key: 23), w = randomTensor([4, 4, 3], key: 24), b = randomTensor([4], key: 25)
        checkGradients([x, w, b]) { conv1d($0[0], weight: $0[1], bias: $0[2]) }
        let wg = randomTensor([4, 2, 3], key: 26)
        checkGradients([x, wg]) { conv1d($0[0], weight: $0[1], bias: nil, groups: 2) }
        // One channel, kernel [1, 2, 3]: out[t] = x[t-1] + 2 x[t] + 3 x[t+1].
        let y = conv1d(Tensor([1, 2, 3], shape: [1, 3, 1]), weight: Tensor([1, 2, 3], shape: [1, 1, 3]), bias: nil)
        XCTAssertEqual(y.scalars, [8, 14, 8])
    }

    func testDropoutIsReproducibleAndScaled() {
        let x = Tensor(repeating: 1, shape: [10_000])
        let a = dropout(x, probability: 0.1, key: 5), b = dropout(x, probability: 0.1, key: 5)
        XCTAssertEqual(a.scalars, b.scalars)
        let kept = a.scalars.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / 10_000, 0.9, accuracy: 0.01)
        XCTAssertEqual(kept[0], 1 / 0.9, accuracy: 1e-6)
        checkGradients([randomTensor([4, 5], key: 27)]) { dropout($0[0], probability: 0.3, key: 9) }
        // The vectorised kernel draws exactly the counter-based stream's `uniform(key, i) < p`, also
        // on a length with a scalar tail and over the thread split.
        for p: Float in [0.1, 0.3, 1.0 / 3] {
            let y = randomTensor([100_003], key: 28)
            let d = dropout(y, probability: p, key: 77)
            let expected = (0..<y.count).map { RandomStream.uniform(key: 77, index: $0) < p ? 0 : y.data[$0] * (1 / (1 - p)) }
            XCTAssertEqual(d.scalars, expected, "p = \(p)")
        }
    }

    func testLosses() {
        let logits = randomTensor([4, 3], key: 28)
        let labels = IndexTensor([0, 2, -100, 1], shape: [4])
        checkGradients([logits], h: 1e-3) { crossEntropy($0[0], labels: labels) }
        let l = crossEntropy(Tensor([0, 0, Float(log(2.0))], shape: [1, 3]), labels: IndexTensor([2], shape: [1]))
        XCTAssertEqual(l.item, Float(log(4.0) - log(2.0)), accuracy: 1e-6)
        XCTAssertEqual(crossEntropy(logits, labels: IndexTensor([-100, -100, -100, -100], shape: [4])).item, 0)
        let p = randomTensor([5], key: 29), t = randomTensor([5], key: 30)
        checkGradients([p]) { meanSquaredError($0[0], t) }
        XCTAssertEqual(meanSquaredError(Tensor([1, 2], shape: [2]), Tensor([0, 0], shape: [2])).item, 2.5)
        let y = Tensor([1, 0, 1, 0, 1], shape: [5]), w = Tensor([1, 1, 0, 1, 1], shape: [5])
        checkGradients([p], h: 1e-3) { binaryCrossEntropyWithLogits($0[0], targets: y, weight: w) }
        XCTAssertEqual(binaryCrossEntropyWithLogits(Tensor([0], shape: [1]), targets: Tensor([1], shape: [1])).item, Float(log(2.0)), accuracy: 1e-6)
    }

    func testGradientsAccumulateOverSharedUse() {
        let x = Tensor([1, 2, 3], shape: [3]).requiringGrad()
        (sum(x * x) + sum(x * 3)).backward()
        XCTAssertEqual(x.grad!.scalars, [5, 7, 9])
    }
}

final class GeluKernelTests: XCTestCase {
    /// The vectorised kernel against libm's erf over [−10, 10] (float64 reference), forward and derivative.
    func testGeluKernelMatchesTheErfDefinition() {
        let n = 200_001
        let x = Tensor((0..<n).map { -10 + 20 * Float($0) / Float(n - 1) }, shape: [n]).requiringGrad()
        let y = gelu(x)
        sum(y).backward()
        var worstValue = 0.0, worstSlope = 0.0
        for i in 0..<n {
            let v = Double(x.data[i])
            let exact = 0.5 * v * (1 + erf(v / 2.squareRoot()))
            let slope = 0.5 * (1 + erf(v / 2.squareRoot())) + v * exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
            worstValue = max(worstValue, abs(Double(y.data[i]) - exact))
            worstSlope = max(worstSlope, abs(Double(x.grad!.data[i]) - slope))
        }
        print("GELU kernel: max |Δ value| \(worstValue), max |Δ slope| \(worstSlope) on [−10, 10]")
        XCTAssertLessThan(worstValue, 2e-6)   // float32 rounding of values up to 10
        XCTAssertLessThan(worstSlope, 3e-7)
    }
}

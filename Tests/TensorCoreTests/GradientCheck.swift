import DeBERTaTestSupport
import XCTest
@testable import DeBERTaTensors

/// Central finite differences against the recorded vector-Jacobian products.
///
/// The scalar checked is `L = Σ w ⊙ f(inputs)` with fixed random weights `w`, so every output
/// element contributes with a different weight; `L` is summed in float64 from the float32 outputs, and
/// the step is the one actually taken in float32 (`x ± h` rounded), so the numeric estimate carries
/// only the outputs' own rounding (about 1e-7 · Σ|w f| / h) besides the O(h²) truncation.
///
/// Every element must satisfy |analytic − numeric| ≤ atol + rtol · max(|analytic|, |numeric|) with
/// atol = `atolFraction` · the input's largest numeric gradient (at least 1): small against the
/// gradients checked, so a zero (or otherwise wrong) analytic gradient fails wherever the true one is
/// above 1e-4 of the largest.
func checkGradients(
    _ inputs: [Tensor], h: Float = 1e-2, rtol: Double = 1e-2, atolFraction: Double = 1e-4,
    file: StaticString = #filePath, line: UInt = #line,
    _ f: ([Tensor]) -> Tensor
) {
    let result = gradientCheck(inputs, h: h, rtol: rtol, atolFraction: atolFraction, f)
    XCTAssertEqual(result.checked, inputs.reduce(0) { $0 + $1.count }, "every input element is checked", file: file, line: line)
    for failure in result.failures.prefix(5) { XCTFail(failure, file: file, line: line) }
}

/// The outcome of a finite-difference check: how many elements were compared, and a line for each
/// that disagrees (or for an input that got no gradient, or a gradient that is zero everywhere).
struct GradientCheckResult {
    var checked = 0
    var failures: [String] = []
    /// The largest |analytic − numeric| / bound seen (≤ 1 when everything passes).
    var worstRatio = 0.0
}

func gradientCheck(
    _ inputs: [Tensor], h: Float = 1e-2, rtol: Double = 1e-2, atolFraction: Double = 1e-4,
    _ f: ([Tensor]) -> Tensor
) -> GradientCheckResult {
    var result = GradientCheckResult()
    let leaves = inputs.map { $0.requiringGrad() }
    let out = f(leaves)
    let w = Tensor.randomNormal(out.shape, std: 1, key: 77)
    let loss = sum(out * w.detached())
    loss.backward()
    let weights = w.scalars.map(Double.init)
    func objective() -> Double {
        let values = f(leaves.map { $0.detached() }).scalars
        precondition(values.count == weights.count)
        var total = 0.0
        for (v, weight) in zip(values, weights) { total += Double(v) * weight }
        return total
    }
    for (n, leaf) in leaves.enumerated() {
        guard let analytic = leaf.grad else {
            result.failures.append("input \(n) got no gradient")
            continue
        }
        var numeric = [Double](repeating: 0, count: leaf.count)
        for i in 0..<leaf.count {
            let saved = leaf.data[i]
            // Each in-place write is marked, as weight writers must (caches of constant weights follow versions).
            let up = saved + h, down = saved - h
            leaf.data[i] = up
            leaf.storage.markModified()
            let plus = objective()
            leaf.data[i] = down
            leaf.storage.markModified()
            let minus = objective()
            leaf.data[i] = saved
            leaf.storage.markModified()
            numeric[i] = (plus - minus) / (Double(up) - Double(down))
        }
        let largest = numeric.map { abs($0) }.max() ?? 0
        if largest < 1e-3 {
            result.failures.append("input \(n): the numeric gradient is zero everywhere (max \(largest)); the check would prove nothing")
        }
        let tolerance = GradientTolerance(rtol: rtol, atol: atolFraction * max(1, largest))
        for i in 0..<leaf.count {
            let a = Double(analytic.data[i])
            let bound = tolerance.bound(analytic: a, numeric: numeric[i])
            result.worstRatio = max(result.worstRatio, abs(a - numeric[i]) / bound)
            if !tolerance.accepts(analytic: a, numeric: numeric[i]) {
                result.failures.append("input \(n)[\(i)]: analytic \(a) vs numeric \(numeric[i]) (allowed difference \(bound))")
            }
            result.checked += 1
        }
    }
    return result
}

func randomTensor(_ shape: [Int], key: UInt64, std: Float = 1) -> Tensor {
    Tensor.randomNormal(shape, std: std, key: key)
}

/// The checker itself: it passes correct gradients and rejects wrong ones, small ones included (the
/// former rule, |Δ| ≤ 0.02 · max(1, max |numeric|), accepted any gradient below 0.02 even when zero).
final class GradientCheckTests: XCTestCase {
    func testToleranceRule() {
        let t = GradientTolerance(rtol: 1e-2, atol: 1e-4)
        XCTAssertTrue(t.accepts(analytic: 1.005, numeric: 1))
        XCTAssertFalse(t.accepts(analytic: 1.05, numeric: 1))
        XCTAssertTrue(t.accepts(analytic: 0, numeric: 5e-5))
        XCTAssertFalse(t.accepts(analytic: 0, numeric: 1e-2), "a zeroed gradient of 0.01 passed the old rule")
        XCTAssertFalse(t.accepts(analytic: 0, numeric: 1e-3))
        XCTAssertFalse(t.accepts(analytic: .nan, numeric: 0))
    }

    func testAcceptsCorrectGradients() {
        let x = randomTensor([3, 4], key: 90)
        let result = gradientCheck([x]) { $0[0] * $0[0] * 0.5 }
        XCTAssertEqual(result.checked, 12)
        XCTAssertEqual(result.failures, [])
    }

    /// f(x) = 0·x + c ⊙ x with c small (1e-3 … 1.1e-2, below the old 0.02 floor) and the c-term
    /// detached: the analytic gradient is zero, the true one c ⊙ w.
    func testRejectsAZeroedSmallGradient() {
        let x = randomTensor([3, 4], key: 91)
        let c = Tensor((0..<12).map { 1e-3 + 1e-3 * Float($0 % 11) }, shape: [3, 4])
        let result = gradientCheck([x, Tensor(repeating: 1, shape: [3, 4])]) { $0[0] * 0 + $0[0].detached() * c + $0[1] }
        XCTAssertEqual(result.checked, 24)
        XCTAssertGreaterThanOrEqual(result.failures.filter { $0.hasPrefix("input 0[") }.count, 10,
                                    "zeroed gradients of 1e-3…1e-2 must be rejected: \(result.failures)")
        XCTAssertTrue(result.failures.filter { $0.hasPrefix("input 1") }.isEmpty, "the correct input passes: \(result.failures)")
    }

    /// A gradient 5 % too large everywhere is rejected.
    func testRejectsAGradientFivePercentOff() {
        let x = randomTensor([2, 5], key: 92)
        let result = gradientCheck([x]) { $0[0] * 1.05 - $0[0].detached() * 0.05 }
        XCTAssertEqual(result.checked, 10)
        XCTAssertEqual(result.failures.count, 10, "\(result.failures)")
    }

    /// An input that gets no gradient, and an output that does not depend on its input, are failures.
    func testRejectsMissingAndVanishingGradients() {
        let x = randomTensor([4], key: 93)
        XCTAssertEqual(gradientCheck([x]) { $0[0].detached() * 2 }.failures, ["input 0 got no gradient"])
        let vanishing = gradientCheck([x]) { $0[0] * 0 }
        XCTAssertEqual(vanishing.failures.count, 1)
        XCTAssertTrue(vanishing.failures[0].contains("zero everywhere"), "\(vanishing.failures)")
    }
}

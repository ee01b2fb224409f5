import XCTest
@testable import DeBERTaTensors

/// Central finite differences against the recorded vector-Jacobian products.
///
/// The scalar checked is `L = Σ w ⊙ f(inputs)` with fixed random weights `w`, so every output
/// element contributes with a different weight. Evaluated in float32 with step `h`; tolerances
/// are relative to the gradient's scale.
func checkGradients(
    _ inputs: [Tensor], h: Float = 1e-2, tolerance: Float = 2e-2,
    file: StaticString = #filePath, line: UInt = #line,
    _ f: ([Tensor]) -> Tensor
) {
    let leaves = inputs.map { $0.requiringGrad() }
    let out = f(leaves)
    let w = Tensor.randomNormal(out.shape, std: 1, key: 77)
    let loss = sum(out * w.detached())
    loss.backward()
    for (n, leaf) in leaves.enumerated() {
        guard let analytic = leaf.grad else { XCTFail("input \(n) got no gradient", file: file, line: line); continue }
        var numeric = [Float](repeating: 0, count: leaf.count)
        for i in 0..<leaf.count {
            let saved = leaf.data[i]
            // Each in-place write is marked, as weight writers must (caches of constant weights follow versions).
            leaf.data[i] = saved + h
            leaf.storage.markModified()
            let plus = Double(sum(f(leaves.map { $0.detached() }) * w).item)
            leaf.data[i] = saved - h
            leaf.storage.markModified()
            let minus = Double(sum(f(leaves.map { $0.detached() }) * w).item)
            leaf.data[i] = saved
            leaf.storage.markModified()
            numeric[i] = Float((plus - minus) / Double(2 * h))
        }
        let scale = max(1, numeric.map { abs($0) }.max() ?? 1)
        for i in 0..<leaf.count {
            let diff = abs(analytic.data[i] - numeric[i])
            if diff > tolerance * scale {
                XCTFail("input \(n)[\(i)]: analytic \(analytic.data[i]) vs numeric \(numeric[i])", file: file, line: line)
                return
            }
        }
    }
}

func randomTensor(_ shape: [Int], key: UInt64, std: Float = 1) -> Tensor {
    Tensor.randomNormal(shape, std: std, key: key)
}

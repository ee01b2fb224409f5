import DeBERTaModeling
import DeBERTaTensors
import DeBERTaTraining
import XCTest

/// Row-sparse gradients of embedding tables: the same numbers as the dense scatter-add, in the
/// gradient and in the optimizer update.
final class RowGradientTests: XCTestCase {
    func testLookupGradientIsTheDenseScatterAdd() {
        let table = Tensor.randomNormal([7, 3], std: 1, key: 1)
        let ids = IndexTensor([4, 0, 4, 2, 6, 4], shape: [2, 3])
        let g = Tensor.randomNormal([2, 3, 3], std: 1, key: 2)
        let rows = RowGradient(scattering: g, ids: ids, tableShape: table.shape, paddingIndex: 0)
        XCTAssertEqual(rows.rows, [2, 4, 6])
        var dense = [Float](repeating: 0, count: 21)
        for (t, id) in ids.values.enumerated() where id != 0 {
            for j in 0..<3 { dense[Int(id) * 3 + j] += g.data[t * 3 + j] }
        }
        XCTAssertEqual(rows.dense().scalars, dense)

        let leaf = table.requiringGrad()
        (sum(embedding(leaf, ids, paddingIndex: 0) * g)).backward()
        guard case let .rows(r)? = leaf.gradient else { return XCTFail("a parameter table's lookup gradient should be row-sparse") }
        XCTAssertEqual(r.rows, [2, 4, 6])
        XCTAssertEqual(leaf.grad?.scalars, dense)
        // A second lookup (gradient accumulation) merges the rows.
        (sum(embedding(leaf, IndexTensor([1, 2], shape: [2]), paddingIndex: 0))).backward()
        guard case let .rows(r2)? = leaf.gradient else { return XCTFail("still row-sparse") }
        XCTAssertEqual(r2.rows, [1, 2, 4, 6])
        var merged = dense
        for j in 0..<6 { merged[3 + j] += 1 }
        XCTAssertEqual(leaf.grad?.scalars, merged)
        // A dense use of the same table (a tied output layer) turns the gradient dense, rows included.
        let x = Tensor.randomNormal([2, 3], std: 1, key: 3)
        sum(matmul(x, leaf, transposeB: true)).backward()
        guard case let .dense(d)? = leaf.gradient else { return XCTFail("dense after a matmul") }
        for r in 0..<7 { for j in 0..<3 { merged[r * 3 + j] += x.data[j] + x.data[3 + j] } }
        for (a, b) in zip(d.scalars, merged) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testOptimizerUpdatesRowGradientsAsDenseZeros() {
        for variant in [AdamVariant.adamw, .xadam] {
            let model = try! DeBERTaModel(configuration: tinyConfig(), head: .encoderOnly, builder: .zeros())
            let table = model.parameters[0]
            XCTAssertEqual(table.value.rank, 2)
            let twin = Parameter(name: table.name, value: Tensor.randomNormal(table.value.shape, std: 0.02, key: 5))
            table.value.data.update(from: twin.value.data, count: twin.value.count)
            let width = table.value.dim(1)
            let values = Tensor.randomNormal([2, width], std: 1, key: 6)
            let rows = RowGradient(shape: table.value.shape, rows: [1, 3], values: values)
            let sparse = AdamOptimizer(AdamConfiguration(variant: variant), decays: { _ in true })
            let dense = AdamOptimizer(AdamConfiguration(variant: variant), decays: { _ in true })
            for step in 0..<3 {
                sparse.step([table], gradients: [.rows(rows)], learningRate: 0.01, gradientScale: 2)
                dense.step([twin], gradients: [rows.dense()], learningRate: 0.01, gradientScale: 2)
                XCTAssertEqual(table.value.scalars, twin.value.scalars, "\(variant) step \(step)")
            }
            XCTAssertEqual(sparse.state[table.name]?.v.scalars, dense.state[twin.name]?.v.scalars)
            XCTAssertEqual(globalNorm([.rows(rows)]), globalNorm([rows.dense()]))
        }
    }

    /// The vectorised update kernels against the formulas written out element by element (in the
    /// same order, no fused multiply-add): identical bits, on a length that leaves a scalar tail.
    func testAdamKernelsMatchTheFormulas() {
        let n = 45
        let shape = [n]
        for variant in [AdamVariant.adamw, .xadam] {
            let p = Parameter(name: "w", value: Tensor.randomNormal(shape, std: 0.5, key: 11))
            let start = p.value.scalars
            let g = Tensor.randomNormal(shape, std: 1, key: 12)
            let config = AdamConfiguration(variant: variant)
            let opt = AdamOptimizer(config, decays: { _ in true })
            var theta = start, m = [Float](repeating: 0, count: n), v = m
            let lr: Float = 0.01, scale: Float = 4
            for step in 1...2 {
                opt.step([p], gradients: [g], learningRate: lr, gradientScale: scale)
                let b1 = Float(config.beta1), b2 = Float(config.beta2), eps = Float(config.epsilon), wd = Float(config.weightDecay)
                for i in 0..<n {
                    let gi = g.data[i] * (1 / scale)
                    switch variant {
                    case .adamw:
                        let bc1 = 1 - pow(config.beta1, Double(step)), bc2 = 1 - pow(config.beta2, Double(step))
                        theta[i] *= Float(1 - Double(lr) * Double(wd))
                        m[i] += (gi - m[i]) * Float(1 - config.beta1)
                        v[i] = v[i] * b2 + Float(1 - config.beta2) * gi * gi
                        theta[i] -= Float(Double(lr) / bc1) * m[i] / (v[i].squareRoot() / Float(bc2.squareRoot()) + eps)
                    case .xadam:
                        m[i] = m[i] * b1 + Float(1 - config.beta1) * gi
                        v[i] = v[i] * b2 + Float(1 - config.beta2) * gi * gi
                        theta[i] -= lr * (m[i] / (v[i].squareRoot() + eps) + wd * theta[i])
                    }
                }
                XCTAssertEqual(p.value.scalars, theta, "\(variant) step \(step)")
            }
            XCTAssertNotEqual(theta, start)
        }
    }
}

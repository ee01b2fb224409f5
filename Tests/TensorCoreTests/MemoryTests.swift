import XCTest
@testable import DeBERTaTensors

/// What the autodiff graph keeps alive, and how tensor memory is reused.
final class MemoryTests: XCTestCase {
    final class WeakStorage {
        weak var storage: TensorStorage?
        init(_ t: Tensor) { storage = t.storage }
    }

    func testBufferPoolSizeClasses() {
        let page = 4096
        XCTAssertEqual(BufferPool.capacity(for: 1000), 1000)  // below the threshold: the C heap
        XCTAssertEqual(BufferPool.capacity(for: 256 << 10), 256 << 10)  // 64 pages: a class of its own
        XCTAssertEqual(BufferPool.capacity(for: (256 << 10) + 1), 80 * page)  // 65 pages → 64 + 16
        XCTAssertEqual(BufferPool.capacity(for: 100 * page), 112 * page)  // 64 ≤ 100 < 128: steps of 16 pages
        XCTAssertEqual(BufferPool.capacity(for: 8 << 20), 8 << 20)
        XCTAssertEqual(BufferPool.capacity(for: (8 << 20) + 1), 10 << 20)  // 2048 pages + 1 → 2560
    }

    func testFreedBlocksAreReusedWithinTheirClass() {
        BufferPool.trim()
        var first: Tensor? = Tensor.zeros([300_000])  // 1.14 MiB → the 1.25 MiB class
        let address = first!.data
        first = nil
        XCTAssertNil(first)
        let second = Tensor(repeating: 2, shape: [320_000])  // 1.22 MiB, same class
        XCTAssertEqual(second.data, address)
        XCTAssertEqual(second.data[319_999], 2)
        let third = Tensor.zeros([300_000])  // the block is taken: a new one
        XCTAssertNotEqual(third.data, address)
        XCTAssertEqual(Int(bitPattern: third.data) % 4096, 0)
    }

    func testLiveBytesCountStorages() {
        let before = TensorStorage.liveBytes
        var t: Tensor? = Tensor.zeros([1000, 100])
        XCTAssertEqual(TensorStorage.liveBytes - before, 400_000)
        XCTAssertGreaterThanOrEqual(TensorStorage.peakBytes, TensorStorage.liveBytes)
        t = nil
        XCTAssertNil(t)
        XCTAssertEqual(TensorStorage.liveBytes, before)
    }

    /// Like PyTorch without `retain_graph`: once `backward()` returns, the activations the graph
    /// saved are gone even though the loss (the graph's root) is still held.
    func testBackwardReleasesSavedActivations() {
        let x = randomTensor([64, 256], key: 1).requiringGrad()
        let gamma = Tensor(repeating: 1, shape: [256]), beta = Tensor.zeros([256])
        let before = TensorStorage.liveBytes
        func forward() -> Tensor {
            let h = gelu(x * 2)
            let n = layerNorm(h, gamma: gamma, beta: beta, eps: 1e-7)
            return sum(softmax(n) * n)
        }
        let loss = forward()
        let held = TensorStorage.liveBytes - before
        XCTAssertGreaterThan(held, 4 * x.count * 4)  // x·2, gelu's input, xhat, softmax output, n …
        loss.backward()
        XCTAssertEqual(x.grad?.count, x.count)
        // Only the leaf's gradient (and the loss's own values) remain.
        XCTAssertLessThanOrEqual(TensorStorage.liveBytes - before, x.count * 4 + 64)
        XCTAssertEqual(loss.count, 1)
    }

    /// Backward closures keep only what their vector-Jacobian product reads: not the scores a
    /// softmax consumed, not the position scores of `addRelativeScores`, not a layer norm's input,
    /// not the logits of a cross-entropy (its probabilities suffice).
    func testOpsDoNotKeepInputsTheyDoNotNeed() {
        let leaf = randomTensor([2, 2, 3, 5], key: 2).requiringGrad()
        func probe(_ op: (Tensor) -> Tensor) -> (Tensor, WeakStorage) {
            let input = leaf * 1.5
            return (op(input), WeakStorage(input))
        }
        let ones = Tensor(repeating: 1, shape: [2, 3])
        let keys = Tensor(repeating: 1, shape: [2, 5])
        var outputs: [Tensor] = []
        var probes: [(String, WeakStorage)] = []
        let (softmaxOut, softmaxInput) = probe { maskedSoftmax($0, queryMask: ones, keyMask: keys) }
        outputs.append(softmaxOut); probes.append(("maskedSoftmax scores", softmaxInput))
        let (lnOut, lnInput) = probe { layerNorm($0, gamma: Tensor(repeating: 1, shape: [5]), beta: Tensor.zeros([5]), eps: 1e-7) }
        outputs.append(lnOut); probes.append(("layerNorm input", lnInput))
        let (ceOut, ceInput) = probe { crossEntropy($0, labels: IndexTensor([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1], shape: [12])) }
        outputs.append(ceOut); probes.append(("crossEntropy logits", ceInput))
        let content = randomTensor([2, 2, 3, 4], key: 3).requiringGrad()
        let index = IndexTensor((0..<12).map { Int32(($0 * 7) % 5) }, shape: [3, 4])
        let (relOut, c2p) = probe { addRelativeScores(content, c2p: $0, p2c: nil, index: index) }
        outputs.append(relOut); probes.append(("addRelativeScores c2p", c2p))
        for (name, p) in probes { XCTAssertNil(p.storage, "\(name) is kept alive by the graph") }
        // The gradients still flow (values are checked against finite differences in OpGradientTests).
        sum(outputs.map { sum($0) }.reduce(Tensor.zeros([1]), +)).backward()
        XCTAssertNotNil(leaf.grad)
        XCTAssertNotNil(content.grad)
    }

    /// Gradients accumulate in place only into buffers nothing else holds: a gradient the caller
    /// kept from an earlier backward pass keeps its values.
    func testAccumulationNeverWritesASharedGradient() {
        let x = Tensor([1, 2, 3], shape: [3]).requiringGrad()
        sum(x * x + x).backward()  // 2x + 1; `+` hands the same buffer to both inputs
        XCTAssertEqual(x.grad?.scalars, [3, 5, 7])
        let kept = x.grad!
        sum(x * 3).backward()
        XCTAssertEqual(x.grad?.scalars, [6, 8, 10])
        XCTAssertEqual(kept.scalars, [3, 5, 7])
        let address = x.grad!.data
        sum(x * 3).backward()  // the accumulated buffer is now the node's alone: added in place
        XCTAssertEqual(x.grad?.scalars, [9, 11, 13])
        XCTAssertEqual(x.grad!.data, address)
    }
}

import XCTest
@testable import DeBERTaTensors

/// `fusedAttention` against the unfused sequence of ops it replaces in inference, with padded keys
/// and queries, queries of another length than the keys (the Enhanced Mask Decoder), and either
/// relative term alone.
final class FusedAttentionTests: XCTestCase {
    func unfused(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ pk: Tensor?, _ pq: Tensor?, _ index: IndexTensor,
                 _ qm: Tensor, _ km: Tensor, heads: Int, scale: Float) -> Tensor {
        var scores = headScores(q, k, heads: heads, alpha: scale)
        let c2p = pk.map { headScores(q, $0, heads: heads, alpha: scale) }
        let p2c = pq.map { headScores(k, $0, heads: heads, alpha: scale) }
        if c2p != nil || p2c != nil { scores = addRelativeScores(scores, c2p: c2p, p2c: p2c, index: index) }
        return headContext(maskedSoftmax(scores, queryMask: qm, keyMask: km), v)
    }

    func testMatchesUnfusedOps() {
        let batch = 2, heads = 3, d = 8, width = heads * d, s = 9
        for (m, n) in [(11, 11), (5, 11)] {
            let q = randomTensor([batch, m, width], key: 90), k = randomTensor([batch, n, width], key: 91)
            let v = randomTensor([batch, n, width], key: 92)
            let pk = randomTensor([s, width], key: 93), pq = randomTensor([s, width], key: 94)
            let index = IndexTensor((0..<(m * n)).map { Int32(($0 / n - $0 % n + n) % s) }, shape: [m, n])
            let km = Tensor((0..<(batch * n)).map { $0 % n < n - 3 || $0 < n ? 1 : 0 }, shape: [batch, n])
            let qm = Tensor((0..<(batch * m)).map { $0 == batch * m - 1 ? 0 : 1 }, shape: [batch, m])
            for (a, b) in [(pk, pq), (pk, nil), (nil, pq), (nil, nil)] as [(Tensor?, Tensor?)] {
                let fused = fusedAttention(query: q, key: k, value: v, positionKey: a, positionQuery: b, index: index,
                                           queryMask: qm, keyMask: km, heads: heads, scale: 0.3)
                let reference = unfused(q, k, v, a, b, index, qm, km, heads: heads, scale: 0.3)
                XCTAssertEqual(fused.shape, [batch, m, width])
                let worst = zip(fused.scalars, reference.scalars).map { abs($0 - $1) }.max()!
                XCTAssertLessThanOrEqual(worst, 1e-5, "m \(m), n \(n), c2p \(a != nil), p2c \(b != nil)")
            }
        }
    }

    /// A `[B, M, N]` pair key mask (a `[B, N, N]` attention mask): random pairs, one query row with
    /// no key kept.
    func testPairMaskMatchesUnfusedOps() {
        let batch = 2, heads = 3, d = 8, width = heads * d, s = 9
        for (m, n) in [(11, 11), (5, 11)] {
            let q = randomTensor([batch, m, width], key: 95), k = randomTensor([batch, n, width], key: 96)
            let v = randomTensor([batch, n, width], key: 97)
            let pk = randomTensor([s, width], key: 98), pq = randomTensor([s, width], key: 99)
            let index = IndexTensor((0..<(m * n)).map { Int32(($0 / n - $0 % n + n) % s) }, shape: [m, n])
            let noise = randomTensor([batch, m, n], key: 100).scalars
            let pairs = (0..<(batch * m * n)).map { e -> Float in e / n == m + 2 ? 0 : noise[e] > -0.3 ? 1 : 0 }
            let km = Tensor(pairs, shape: [batch, m, n]), qm = Tensor(repeating: 1, shape: [batch, m])
            for (a, b) in [(pk, pq), (nil, nil)] as [(Tensor?, Tensor?)] {
                let fused = fusedAttention(query: q, key: k, value: v, positionKey: a, positionQuery: b, index: index,
                                           queryMask: qm, keyMask: km, heads: heads, scale: 0.3)
                let reference = unfused(q, k, v, a, b, index, qm, km, heads: heads, scale: 0.3)
                let worst = zip(fused.scalars, reference.scalars).map { abs($0 - $1) }.max()!
                XCTAssertLessThanOrEqual(worst, 1e-5, "pairs: m \(m), n \(n), relative \(a != nil)")
            }
        }
    }
}

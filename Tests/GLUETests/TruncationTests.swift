import Foundation
import GLUE
import XCTest

/// Truncation and the Python-compatible RNG against Resources/truncation_references.json, made by
/// Scripts/make_truncation_references.py from CPython's `random`, the original's `_truncate_segments`
/// (run from the installed `deberta` package's source) and transformers' `truncate_sequences`.
final class TruncationTests: XCTestCase {
    struct RandomCase: Decodable {
        let seed: Int
        let random: [Double]
        let uint32_first: [UInt32]
        let uint32_700th: UInt32
    }

    struct OriginalCase: Decodable {
        let segments: [[Int32]]
        let max_seq_len: Int
        let seed: Int
        let result: [[Int32]]
    }

    struct LongestFirstCase: Decodable {
        let a: [Int32]
        let b: [Int32]
        let max_seq_len: Int
        let result_a: [Int32]
        let result_b: [Int32]
    }

    struct References: Decodable {
        let random: [RandomCase]
        let original: [OriginalCase]
        let longest_first: [LongestFirstCase]
    }

    private func references() throws -> References {
        let url = TestPaths.resources.appendingPathComponent("truncation_references.json")
        return try JSONDecoder().decode(References.self, from: Data(contentsOf: url))
    }

    func testPythonRandomMatchesCPython() throws {
        let cases = try references().random
        XCTAssertGreaterThanOrEqual(cases.count, 10)
        for c in cases {
            var rng = PythonRandom(seed: c.seed)
            XCTAssertEqual((0..<c.random.count).map { _ in rng.random() }, c.random, "seed \(c.seed)")
            var words = PythonRandom(seed: c.seed)
            let all = (0..<700).map { _ in words.nextUInt32() }
            XCTAssertEqual(Array(all.prefix(8)), c.uint32_first, "seed \(c.seed)")
            XCTAssertEqual(all[699], c.uint32_700th, "seed \(c.seed)")
        }
    }

    func testOriginalTruncationMatchesTheOriginalCode() throws {
        let cases = try references().original
        XCTAssertGreaterThanOrEqual(cases.count, 30)
        var reordered = 0
        for c in cases {
            var rng = PythonRandom(seed: c.seed)
            let result = try GLUEBatching.truncateLikeOriginal(c.segments, maxSequenceLength: c.max_seq_len, rng: &rng)
            XCTAssertEqual(result, c.result, "\(c.segments.map(\.count)) max \(c.max_seq_len) seed \(c.seed)")
            XCTAssertLessThanOrEqual(result.reduce(0) { $0 + $1.count }, c.max_seq_len - c.segments.count - 1)
            // Segment ids are 1000·(s+1)+t, so the first token of a non-empty segment tells where it came from.
            if c.segments.count == 2, let first = result[0].first, first >= 2000 { reordered += 1 }
        }
        XCTAssertGreaterThan(reordered, 0, "references should include the original's B-before-A reordering")
    }

    func testKeepSegmentOrderUndoesTheReordering() throws {
        let a: [Int32] = [1, 2, 3]
        let b: [Int32] = Array(100..<110)
        var rng = PythonRandom(seed: 5)
        let quirky = try GLUEBatching.truncateLikeOriginal([a, b], maxSequenceLength: 11, rng: &rng)
        XCTAssertEqual(quirky[1], a)                      // B came first in the original's output
        XCTAssertEqual(quirky[0].count, 5)
        rng = PythonRandom(seed: 5)
        let kept = try GLUEBatching.truncateLikeOriginal([a, b], maxSequenceLength: 11, rng: &rng, keepSegmentOrder: true)
        XCTAssertEqual(kept, [a, quirky[0]])
        // No truncation needed: segments come back untouched, in order.
        rng = PythonRandom(seed: 0)
        XCTAssertEqual(try GLUEBatching.truncateLikeOriginal([a, b], maxSequenceLength: 16, rng: &rng), [a, b])
    }

    func testLongestFirstMatchesTransformers() throws {
        let cases = try references().longest_first
        XCTAssertGreaterThanOrEqual(cases.count, 30)
        for c in cases {
            let (a, b) = try GLUEBatching.truncateLongestFirst(c.a, c.b, maxSequenceLength: c.max_seq_len)
            XCTAssertEqual(a, c.result_a, "\(c.a.count)+\(c.b.count) max \(c.max_seq_len)")
            XCTAssertEqual(b, c.result_b, "\(c.a.count)+\(c.b.count) max \(c.max_seq_len)")
        }
    }

    func testLongestFirstSingleSegmentAndErrors() throws {
        let (a, b) = try GLUEBatching.truncateLongestFirst([1, 2, 3, 4, 5] as [Int32], nil, maxSequenceLength: 5)
        XCTAssertEqual(a, [1, 2, 3])
        XCTAssertNil(b)
        // Equal lengths: B loses the first token, then they alternate.
        let pair = try GLUEBatching.truncateLongestFirst([1, 2, 3] as [Int32], [4, 5, 6], maxSequenceLength: 8)
        XCTAssertEqual(pair.a, [1, 2, 3])
        XCTAssertEqual(pair.b, [4, 5])
        let shorter = try GLUEBatching.truncateLongestFirst([1, 2, 3] as [Int32], [4, 5, 6], maxSequenceLength: 7)
        XCTAssertEqual(shorter.a, [1, 2])
        XCTAssertEqual(shorter.b, [4, 5])
        XCTAssertThrowsError(try GLUEBatching.truncateLongestFirst([1] as [Int32], [2], maxSequenceLength: 2))
        var rng = PythonRandom(seed: 0)
        XCTAssertThrowsError(try GLUEBatching.truncateLikeOriginal([[1], [2]] as [[Int32]], maxSequenceLength: 2, rng: &rng))
    }
}

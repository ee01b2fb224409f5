import DeBERTaPythonCompat
import Foundation
@testable import DeBERTaTokenizers
import XCTest

/// Pair truncation and the Python-compatible RNG against Tests/References/tokenizers/truncation_references.json, made by
/// Scripts/make_truncation_references.py from CPython's `random`, the original's `_truncate_segments`
/// (run from the installed `deberta` package's source) and transformers' `truncate_sequences`.
final class SegmentTruncationTests: XCTestCase {
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
        let url = TestData.fixtures.appendingPathComponent("truncation_references.json")
        return try JSONDecoder().decode(References.self, from: Data(contentsOf: url))
    }

    func testPythonRandomMatchesCPython() throws {
        let cases = try references().random
        XCTAssertEqual(cases.count, 11)
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
        XCTAssertEqual(cases.count, 40)
        var reordered = 0
        for c in cases {
            var rng = PythonRandom(seed: c.seed)
            var result = c.segments
            SegmentTruncation.original(&result, budget: c.max_seq_len - c.segments.count - 1, random: &rng)
            XCTAssertEqual(result, c.result, "\(c.segments.map(\.count)) max \(c.max_seq_len) seed \(c.seed)")
            XCTAssertLessThanOrEqual(result.reduce(0) { $0 + $1.count }, c.max_seq_len - c.segments.count - 1)
            // Segment ids are 1000·(s+1)+t, so the first token of a non-empty segment tells where it came from.
            if c.segments.count == 2, let first = result[0].first, first >= 2000 { reordered += 1 }
        }
        XCTAssertGreaterThan(reordered, 0, "references should include the original's B-before-A reordering")
    }

    func testOriginalReportsTheReordering() throws {
        let a: [Int32] = [1, 2, 3]
        let b: [Int32] = Array(100..<110)
        var rng = PythonRandom(seed: 5)
        var quirky = [a, b]
        let order = SegmentTruncation.original(&quirky, budget: 8, random: &rng)
        XCTAssertEqual(order, [1, 0])                     // B came first in the original's output
        XCTAssertEqual(quirky[1], a)
        XCTAssertEqual(quirky[0].count, 5)
        // No truncation needed: segments come back untouched, in order.
        rng = PythonRandom(seed: 0)
        var untouched = [a, b]
        XCTAssertEqual(SegmentTruncation.original(&untouched, budget: 13, random: &rng), [0, 1])
        XCTAssertEqual(untouched, [a, b])
    }

    func testLongestFirstMatchesTransformers() throws {
        let cases = try references().longest_first
        XCTAssertEqual(cases.count, 40)
        for c in cases {
            var segments = [c.a, c.b]
            SegmentTruncation.longestFirst(&segments, budget: c.max_seq_len - 3)
            XCTAssertEqual(segments[0], c.result_a, "\(c.a.count)+\(c.b.count) max \(c.max_seq_len)")
            XCTAssertEqual(segments[1], c.result_b, "\(c.a.count)+\(c.b.count) max \(c.max_seq_len)")
        }
    }

    func testLongestFirstSingleSegmentAndTies() {
        var single: [[Int32]] = [[1, 2, 3, 4, 5]]
        SegmentTruncation.longestFirst(&single, budget: 3)
        XCTAssertEqual(single, [[1, 2, 3]])
        // Equal lengths: B loses the first token, then they alternate.
        var pair: [[Int32]] = [[1, 2, 3], [4, 5, 6]]
        SegmentTruncation.longestFirst(&pair, budget: 5)
        XCTAssertEqual(pair, [[1, 2, 3], [4, 5]])
        SegmentTruncation.longestFirst(&pair, budget: 4)
        XCTAssertEqual(pair, [[1, 2], [4, 5]])
    }
}

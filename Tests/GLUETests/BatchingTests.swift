import DeBERTaGLUE
import DeBERTaTokenizers
import XCTest

/// Dynamic padding (`PaddedBatch`, the one padder of model inputs) and length-sorted evaluation order.
final class BatchingTests: XCTestCase {
    func testPadToLongest() {
        let batch = PaddedBatch([[5, 6, 7], [8], [], [9, 10]], padId: 0)
        XCTAssertEqual(batch.rows, 4)
        XCTAssertEqual(batch.columns, 3)
        XCTAssertEqual(batch.inputIds, [5, 6, 7, 8, 0, 0, 0, 0, 0, 9, 10, 0])
        XCTAssertEqual(batch.attentionMask, [1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0])
        XCTAssertEqual(batch.lengths, [3, 1, 0, 2])
        XCTAssertEqual(Array(batch.inputIds(row: 3)), [9, 10, 0])
        XCTAssertEqual(Array(batch.attentionMask(row: 1)), [1, 0, 0])
        let padded = PaddedBatch([[1], [2]], padId: -7)
        XCTAssertEqual(padded.columns, 1)
        XCTAssertEqual(padded.inputIds, [1, 2])
        let empty = PaddedBatch([], padId: 0)
        XCTAssertEqual(empty.rows, 0)
        XCTAssertEqual(empty.columns, 0)
        XCTAssertEqual(PaddedBatch([[4, 4, 4, 4, 4]], padId: 1).columns, 5)
    }

    /// The pad id is the caller's (the tokenizer's `[PAD]`), and values that go with the tokens
    /// (token types, targets) take the same layout with their own padding.
    func testPadIdAndAlignedValues() {
        let batch = PaddedBatch([[1, 5, 2], [1, 2]], padId: 3)
        XCTAssertEqual(batch.inputIds, [1, 5, 2, 1, 2, 3])
        XCTAssertEqual(batch.attentionMask, [1, 1, 1, 1, 1, 0])
        XCTAssertEqual(batch.aligned([[0, 0, 1], [0, 1]], padding: 0), [0, 0, 1, 0, 1, 0])
        XCTAssertEqual(batch.aligned([[7], []], padding: -100), [7, -100, -100, -100, -100, -100])
    }

    func testLengthSortedOrderBatchesAndRestore() throws {
        let sequences: [[Int32]] = [[1, 2], [1, 2, 3, 4], [1], [1, 2, 3, 4], [], [1, 2, 3]]
        let order = GLUEBatching.lengthSortedOrder(sequences)
        XCTAssertEqual(order, [1, 3, 5, 0, 2, 4])     // longest first, ties in input order
        XCTAssertEqual(GLUEBatching.lengthSortedOrder(sequences, longestFirst: false), [4, 2, 0, 5, 1, 3])
        let batches = try GLUEBatching.batches(order, batchSize: 4)
        XCTAssertEqual(batches, [[1, 3, 5, 0], [2, 4]])
        XCTAssertEqual(PaddedBatch(batches[1].map { sequences[$0] }, padId: 0).columns, 1)

        // "Model" outputs computed in sorted order map back to input order.
        let outputs = batches.flatMap { $0.map { "len\(sequences[$0].count)" } }
        let restored = try GLUEBatching.restoreInputOrder(outputs, order: order)
        XCTAssertEqual(restored, sequences.map { "len\($0.count)" })
        XCTAssertEqual(try GLUEBatching.restoreInputOrder(Array(0..<6), order: order), [3, 0, 4, 1, 5, 2])
    }

    func testRestoreRejectsBadOrders() {
        XCTAssertThrowsError(try GLUEBatching.restoreInputOrder([1, 2], order: [0])) { error in
            XCTAssertEqual((error as? GLUEError)?.kind, .invalidArgument)
        }
        XCTAssertThrowsError(try GLUEBatching.restoreInputOrder([1, 2], order: [0, 0])) { error in
            XCTAssertTrue("\(error)".contains("index 0 appears twice"), "\(error)")
        }
        XCTAssertThrowsError(try GLUEBatching.restoreInputOrder([1, 2], order: [0, 2]))
        XCTAssertThrowsError(try GLUEBatching.batches([0, 1], batchSize: 0))
        XCTAssertEqual(try GLUEBatching.batches([], batchSize: 3), [])
    }
}

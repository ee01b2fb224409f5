import DeBERTaTensors
import DeBERTaTraining
import XCTest
@testable import DeBERTaPretraining

/// Pretraining batches: padded with the vocabulary's `[PAD]`, targets with 0, split by rows.
final class PretrainingBatchTests: XCTestCase {
    func testPaddingAndChunks() {
        let samples = [PretrainingSample(inputIds: [1, 9, 2], labels: [0, 5, 0]),
                       PretrainingSample(inputIds: [1, 2], labels: [0, 0]),
                       PretrainingSample(inputIds: [1, 8, 7, 2], labels: [0, 0, 6, 0])]
        let batch = PretrainingBatch(samples: samples, sampleIndices: [10, 11, 12], padId: 3)
        XCTAssertEqual(batch.width, 4)
        XCTAssertEqual(batch.input.inputIds.values, [1, 9, 2, 3, 1, 2, 3, 3, 1, 8, 7, 2])
        XCTAssertEqual(batch.input.attentionMask?.values, [1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1])
        XCTAssertEqual(batch.labels, [0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0])
        XCTAssertEqual(batch.maskedPositions, [1, 10])

        let chunks = batch.chunks(2)
        XCTAssertEqual(chunks.map(\.sampleIndices), [[10, 11], [12]])
        XCTAssertEqual(chunks[1].input.inputIds.shape, [1, 4])
        XCTAssertEqual(chunks[1].labels, [0, 0, 6, 0])
        XCTAssertEqual(chunks[0].input.attentionMask?.values, [1, 1, 1, 0, 1, 1, 0, 0])
    }
}

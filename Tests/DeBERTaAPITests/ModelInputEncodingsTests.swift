import DeBERTa
import XCTest

/// Batches built from texts hold exactly the tokenizer's encodings, padded with its `[PAD]`.
final class ModelInputEncodingsTests: XCTestCase {
    func testTextsArePaddedToTheLongestWithThePadId() throws {
        let tokenizer = try v3StyleTokenizer()
        let texts = ["A gripping, funny and moving film.", "Dull.", "It is neither good nor bad, just long."]
        let input = try ModelInput(texts: texts, tokenizer: tokenizer)
        let encodings = texts.map { tokenizer.encode($0) }
        let longest = encodings.map(\.count).max()!
        XCTAssertEqual(Set(encodings.map(\.count)).count, 3, "three different lengths, so two rows are padded")
        XCTAssertEqual(input.inputIds.shape, [3, longest])
        XCTAssertEqual(tokenizer.specialTokenIds.pad, 0)
        for (b, encoding) in encodings.enumerated() {
            let row = Array(input.inputIds.values[b * longest ..< (b + 1) * longest]).map(Int.init)
            let mask = Array(input.attentionMask!.values[b * longest ..< (b + 1) * longest]).map(Int.init)
            let padding = longest - encoding.count
            XCTAssertEqual(row, encoding.inputIds + Array(repeating: 0, count: padding), "row \(b)")
            XCTAssertEqual(mask, Array(repeating: 1, count: encoding.count) + Array(repeating: 0, count: padding), "row \(b)")
            XCTAssertEqual(row.first, tokenizer.specialTokenIds.cls)
            XCTAssertEqual(row[encoding.count - 1], tokenizer.specialTokenIds.sep)
        }
        XCTAssertEqual(input.tokenTypeIds!.values, Array(repeating: 0, count: 3 * longest))
    }

    func testPairsCarryTokenTypesAndPadding() throws {
        let tokenizer = try v3StyleTokenizer()
        let pairs = [(text: "A man is playing a guitar.", pair: "Someone plays music."), (text: "Yes.", pair: "No.")]
        let input = try ModelInput(pairs: pairs, tokenizer: tokenizer)
        let encodings = try pairs.map { try tokenizer.encode($0.text, pair: $0.pair) }
        let n = encodings[0].count
        XCTAssertGreaterThan(n, encodings[1].count)
        XCTAssertEqual(input.inputIds.shape, [2, n])
        var second = encodings[1]
        let missing = n - second.count
        XCTAssertEqual(Array(input.inputIds.values[n...]).map(Int.init), second.inputIds + Array(repeating: tokenizer.specialTokenIds.pad, count: missing))
        XCTAssertEqual(Array(input.tokenTypeIds!.values[..<n]).map(Int.init), encodings[0].tokenTypeIds)
        XCTAssertEqual(Array(input.tokenTypeIds!.values[..<n]).filter { $0 == 1 }.count,
                       encodings[0].sequenceIds.filter { $0 == 1 }.count + 1, "segment B and its [SEP] have type 1")
        second.pad(to: n, padId: tokenizer.specialTokenIds.pad)
        XCTAssertEqual(Array(input.attentionMask!.values[n...]).map(Int.init), second.attentionMask)
        XCTAssertEqual(Array(input.tokenTypeIds!.values[n...]).map(Int.init), second.tokenTypeIds)

        let single = try ModelInput(text: "Yes.", pair: "No.", tokenizer: tokenizer)
        XCTAssertEqual(single.inputIds.values.map(Int.init), encodings[1].inputIds)
    }

    func testEncodingsOfDifferentLengthsArePaddedWithTheGivenId() throws {
        let a = Encoding(inputIds: [5, 6, 7], tokenTypeIds: [0, 0, 1], attentionMask: [1, 1, 1], offsets: [0..<0, 0..<1, 0..<0],
                         sequenceIds: [nil, 0, nil], specialTokensMask: [1, 0, 1])
        let b = Encoding(inputIds: [5, 7], tokenTypeIds: [0, 0], attentionMask: [1, 1], offsets: [0..<0, 0..<0],
                         sequenceIds: [nil, nil], specialTokensMask: [1, 1])
        let input = try ModelInput(encodings: [a, b], padId: 9)
        XCTAssertEqual(input.inputIds, IndexTensor([5, 6, 7, 5, 7, 9] as [Int], shape: [2, 3]))
        XCTAssertEqual(input.attentionMask, IndexTensor([1, 1, 1, 1, 1, 0] as [Int], shape: [2, 3]))
        XCTAssertEqual(input.tokenTypeIds, IndexTensor([0, 0, 1, 0, 0, 0] as [Int], shape: [2, 3]))
        var padded = b
        padded.pad(to: 4, padId: 9)
        let kept = try ModelInput(encodings: [a, padded], padId: 9)
        XCTAssertEqual(kept.inputIds, IndexTensor([5, 6, 7, 9, 5, 7, 9, 9] as [Int], shape: [2, 4]))
        XCTAssertEqual(kept.attentionMask, IndexTensor([1, 1, 1, 0, 1, 1, 0, 0] as [Int], shape: [2, 4]),
                       "padding already in an encoding stays masked")
        XCTAssertThrowsError(try ModelInput(encodings: [], padId: 0)) { XCTAssertEqual($0 as? InferenceError, .invalidInput("no encodings to batch")) }
        XCTAssertThrowsError(try ModelInput(texts: [], tokenizer: try v3StyleTokenizer()))
    }

    func testMaxLengthTruncates() throws {
        let tokenizer = try v3StyleTokenizer()
        let text = "It is neither good nor bad, just long."
        let input = try ModelInput(texts: [text, "Dull."], tokenizer: tokenizer, maxLength: 6)
        XCTAssertEqual(input.inputIds.shape, [2, 6])
        XCTAssertEqual(Array(input.inputIds.values[..<6]).map(Int.init), try tokenizer.encode(text, pair: nil, maxLength: 6).inputIds)
    }
}

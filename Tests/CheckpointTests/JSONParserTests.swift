import DeBERTaFiles
import Foundation
import XCTest
import DeBERTaCheckpoint

/// The package's one JSON parser: exact numbers, byte-exact strings and keys, the opt-in extensions,
/// and errors that name the byte offset and the problem.
final class JSONParserTests: XCTestCase {
    private func parse(_ text: String, _ options: JSONParser.Options = .strict) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8), options: options)
    }

    /// Asserts that parsing `bytes` fails at byte `offset` with a message containing `message`.
    private func assertSyntaxError(_ bytes: [UInt8], _ options: JSONParser.Options = .strict, offset: Int, _ message: String,
                                   file: StaticString = #filePath, line: UInt = #line) {
        do {
            let value = try JSONParser.parse(bytes, options: options)
            XCTFail("parsed \(value.kindName); expected an error containing '\(message)'", file: file, line: line)
        } catch let error as JSONParser.SyntaxError {
            XCTAssertEqual(error.offset, offset, "\(error)", file: file, line: line)
            XCTAssertTrue(error.message.contains(message), "'\(error.message)' lacks '\(message)'", file: file, line: line)
        } catch {
            XCTFail("unexpected error type \(type(of: error)): \(error)", file: file, line: line)
        }
    }

    private func assertSyntaxError(_ text: String, _ options: JSONParser.Options = .strict, offset: Int, _ message: String,
                                   file: StaticString = #filePath, line: UInt = #line) {
        assertSyntaxError(Array(text.utf8), options, offset: offset, message, file: file, line: line)
    }

    func testIntegersAreExact() throws {
        let json = try parse(#"{"odd": 9007199254740993, "max": 9223372036854775807, "big": 18446744073709551617, "neg": -42, "zero": -0}"#)
        // 2^53 + 1 has no Double; read through Double it would be 9007199254740992.
        XCTAssertEqual(json["odd"]?.intValue, 9_007_199_254_740_993)
        XCTAssertEqual(json["odd"]?.doubleValue, 9_007_199_254_740_992)
        XCTAssertEqual(json["max"]?.intValue, Int.max)
        XCTAssertNil(json["big"]?.intValue)
        guard case .number(let text)? = json["big"] else { return XCTFail("\"big\" is not a number") }
        XCTAssertEqual(text, "18446744073709551617")
        XCTAssertEqual(json["neg"]?.intValue, -42)
        XCTAssertNil(json["neg"]?.nonNegativeInt)
        XCTAssertEqual(json["zero"]?.nonNegativeInt, 0)
    }

    func testFractionsAndExponents() throws {
        let json = try parse("[1.0, 2e3, -0.5E-2, 1e400, 0.1]")
        let items = try XCTUnwrap(json.arrayValue)
        XCTAssertEqual(items.map(\.doubleValue), [1, 2000, -0.005, .infinity, 0.1])
        XCTAssertEqual(items.map(\.intValue), [nil, nil, nil, nil, nil])
        XCTAssertNil(try parse("\"3\"").intValue)
    }

    func testNumberGrammar() {
        assertSyntaxError("01", offset: 1, "leading zero")
        assertSyntaxError("-", offset: 1, "no digits")
        assertSyntaxError("1.", offset: 2, "after the decimal point")
        assertSyntaxError("1e+", offset: 3, "exponent")
        assertSyntaxError(".5", offset: 0, "expected a value")
        assertSyntaxError("+1", offset: 0, "expected a value")
    }

    func testKeysDifferingOnlyInNormalisationStayDistinct() throws {
        // "é" precomposed (NFC, U+00E9) and decomposed (NFD, e + U+0301): equal as Swift Strings.
        XCTAssertEqual("\u{E9}", "e\u{301}")
        let json = try parse("{\"\u{E9}\": 1, \"e\u{301}\": 2, \"\\u00e9x\": 3, \"e\\u0301x\": 4}")
        let members = try XCTUnwrap(json.objectMembers)
        XCTAssertEqual(members.map(\.key), [[0xC3, 0xA9], [0x65, 0xCC, 0x81], [0xC3, 0xA9, 0x78], [0x65, 0xCC, 0x81, 0x78]])
        XCTAssertEqual(members.map { $0.value.intValue }, [1, 2, 3, 4])
        XCTAssertEqual(json["\u{E9}"]?.intValue, 1)
        XCTAssertEqual(json["e\u{301}"]?.intValue, 2)
        XCTAssertEqual(json["e\u{301}x"]?.intValue, 4)
    }

    func testDuplicateKeysAreKeptAndTheLastWins() throws {
        let json = try parse(#"{"a": 1, "b": true, "a": 2}"#)
        XCTAssertEqual(json.objectMembers?.map { String(decoding: $0.key, as: UTF8.self) }, ["a", "b", "a"])
        XCTAssertEqual(json["a"]?.intValue, 2)
        XCTAssertEqual(json["b"]?.boolValue, true)
        XCTAssertNil(json["c"])
    }

    func testStringsAndEscapes() throws {
        let json = try parse(#"["a\"\\\/\b\f\n\r\t", "\u0000\u00e9\u20ac\ud83d\ude00", "😀", null, false]"#)
        let items = try XCTUnwrap(json.arrayValue)
        XCTAssertEqual(items[0].stringBytes, [0x61, 0x22, 0x5C, 0x2F, 0x08, 0x0C, 0x0A, 0x0D, 0x09])
        XCTAssertEqual(items[1].stringBytes, [0x00, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80])
        XCTAssertEqual(items[2].stringValue, "😀")
        XCTAssertTrue(items[3].isNull)
        XCTAssertEqual(items[4].boolValue, false)
    }

    func testInvalidUTF8AndEscapesAreRejectedAtTheirByte() {
        assertSyntaxError(#"["ab\ud800"]"#, offset: 4, "unpaired UTF-16 surrogate")
        assertSyntaxError(#"["\udc00"]"#, offset: 2, "unpaired UTF-16 surrogate")
        assertSyntaxError(#"["\ud800\u0041"]"#, offset: 2, "unpaired UTF-16 surrogate")
        assertSyntaxError(#"["\u12G4"]"#, offset: 6, "invalid hex digit")
        assertSyntaxError(#"["\x"]"#, offset: 3, "invalid escape")
        // Overlong "/", an encoded surrogate (U+D800), a stray continuation byte, a truncated sequence.
        assertSyntaxError([0x22, 0x61, 0xC0, 0xAF, 0x22], offset: 2, "invalid UTF-8 in string")
        assertSyntaxError([0x22, 0xED, 0xA0, 0x80, 0x22], offset: 1, "invalid UTF-8 in string")
        assertSyntaxError([0x22, 0x80, 0x22], offset: 1, "invalid UTF-8 in string")
        assertSyntaxError([0x22, 0xE2, 0x82, 0x22], offset: 1, "invalid UTF-8 in string")
        assertSyntaxError("\"a\u{1}\"", offset: 2, "unescaped control character")
        assertSyntaxError("\"abc", offset: 4, "unterminated string")
    }

    func testByteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"a": 7}"#.utf8)
        XCTAssertEqual(try JSONParser.parse(bytes, options: .lenient)["a"]?.intValue, 7)
        assertSyntaxError(bytes, .strict, offset: 0, "byte order mark")
        assertSyntaxError([0x20, 0xEF, 0xBB, 0xBF, 0x31], .lenient, offset: 1, "expected a value")
    }

    func testNonFiniteLiterals() throws {
        let items = try XCTUnwrap(try parse("[NaN, Infinity, -Infinity, -1]", .lenient).arrayValue)
        XCTAssertTrue(try XCTUnwrap(items[0].doubleValue).isNaN)
        XCTAssertEqual(items[1...].map(\.doubleValue), [.infinity, -.infinity, -1])
        XCTAssertEqual(items.map(\.intValue), [nil, nil, nil, -1])
        XCTAssertEqual(items[0].kindName, "the number NaN")
        assertSyntaxError("[1, NaN]", offset: 4, "NaN is not a JSON number")
        assertSyntaxError("[-Infinity]", offset: 1, "-Infinity is not a JSON number")
        assertSyntaxError("[Inf]", .lenient, offset: 1, "invalid literal")
        assertSyntaxError("[nan]", .lenient, offset: 1, "invalid literal")
    }

    func testNestingLimit() throws {
        func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        var value = try parse(nested(256))
        var depth = 0
        while let items = value.arrayValue, let first = items.first { value = first; depth += 1 }
        XCTAssertEqual(depth, 255)
        assertSyntaxError(nested(257), offset: 256, "nesting deeper than 256 levels")
        assertSyntaxError(String(repeating: "[", count: 100_000), offset: 256, "nesting deeper than 256 levels")
        let shallow = JSONParser.Options(maximumDepth: 2)
        XCTAssertEqual(try parse(#"{"a": [1]}"#, shallow)["a"]?.arrayValue?.count, 1)
        assertSyntaxError(#"{"a": [{}]}"#, shallow, offset: 7, "nesting deeper than 2 levels")
    }

    func testTrailingDataAndTruncation() {
        assertSyntaxError(#"{"a": 1} x"#, offset: 9, "unexpected data after the JSON value")
        assertSyntaxError("1 2", offset: 2, "unexpected data after the JSON value")
        assertSyntaxError("{}{}", offset: 2, "unexpected data after the JSON value")
        assertSyntaxError("", offset: 0, "expected a value")
        assertSyntaxError("[1,", offset: 3, "expected a value")
        assertSyntaxError("[1", offset: 2, "unterminated array")
        assertSyntaxError(#"{"a" 1}"#, offset: 5, "expected \":\"")
        assertSyntaxError("{1: 2}", offset: 1, "expected a string key")
        assertSyntaxError("[tru]", offset: 1, "invalid literal")
        XCTAssertEqual(try parse(" \t\r\n[ ] \n").arrayValue?.count, 0)
    }

    func testErrorDescriptionNamesWhatWasFoundAndWhere() {
        func description(_ text: String) -> String {
            do { _ = try parse(text); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(description(#"{"a": 1, "b": }"#), "expected a value (found \"}\" at byte 14)")
        XCTAssertEqual(description("[1,"), "expected a value (at end of input, byte 3)")
        XCTAssertEqual(description("[\u{7F}]"), "expected a value (found 0x7f at byte 1)")
    }

    func testSafeTensorsHeadersAreStrict() throws {
        let entry = #""a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}"#
        let url = try writeTemporaryFile(TestFiles.safeTensors(header: "{\(entry),\"b\":NaN}", data: [0]), named: "nan.safetensors")
        assertCheckpointError(["nan.safetensors", "header is not valid JSON (byte 65)", "NaN is not a JSON number"]) {
            try SafeTensors.read(from: url)
        }
        let deep = "{\"__metadata__\":\(String(repeating: "[", count: 64))\(String(repeating: "]", count: 64))}"
        let deepURL = try writeTemporaryFile(TestFiles.safeTensors(header: deep), named: "deep.safetensors")
        assertCheckpointError(["header is not valid JSON (byte 87)", "nesting deeper than 64 levels"]) { try SafeTensors.read(from: deepURL) }
    }

    func testUTF8Validation() {
        XCTAssertTrue(UTF8Validation.isValid(Array("aé€😀".utf8)))
        XCTAssertEqual(Array("aé€😀".utf8).indices.map { UTF8Validation.sequenceLength(Array("aé€😀".utf8), at: $0) },
                       [1, 2, 0, 3, 0, 0, 4, 0, 0, 0])
        XCTAssertFalse(UTF8Validation.isValid([0xF4, 0x90, 0x80, 0x80]))  // above U+10FFFF
        XCTAssertFalse(UTF8Validation.isValid([0xE0, 0x80, 0xAF]))  // overlong
        XCTAssertFalse(UTF8Validation.isValid([0x61, 0xC3]))  // truncated
    }
}

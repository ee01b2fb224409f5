import Foundation
import XCTest
@testable import DeBERTaCheckpoint

/// Hostile or broken pickles, written by hand: refused globals and resource limits must end in a
/// CheckpointError, never in code execution, a crash or a hang.
final class PickleSafetyTests: XCTestCase {
    private func load(_ bytes: [UInt8]) throws -> PickleValue {
        try TorchPickleFile.loadObject(from: try writeTemporaryFile(bytes, named: "evil.pkl"))
    }

    private func bytes(_ text: String) -> [UInt8] { text.unicodeScalars.map { UInt8($0.value) } }

    private func le(_ value: UInt64, _ width: Int) -> [UInt8] { (0..<width).map { UInt8((value >> (8 * UInt64($0))) & 0xFF) } }

    func testRefusesOsSystem() {
        // Protocol 2: GLOBAL 'os system', BINUNICODE 'ls', TUPLE1, REDUCE, STOP.
        let pickle = bytes("\u{80}\u{02}cos\nsystem\nq\u{00}X\u{02}\u{00}\u{00}\u{00}lsq\u{01}\u{85}q\u{02}Rq\u{03}.")
        assertCheckpointError(["evil.pkl", "refusing to load global os.system"]) { try load(pickle) }
    }

    func testRefusesOtherGlobalsWhateverTheOpcode() {
        // STACK_GLOBAL (protocol 4) for builtins.eval.
        assertCheckpointError(["refusing to load global builtins.eval"]) {
            try load(bytes("\u{80}\u{04}\u{8c}\u{08}builtins\u{94}\u{8c}\u{04}eval\u{94}\u{93}\u{94}."))
        }
        // INST (protocol 0) for subprocess.check_output.
        assertCheckpointError(["refusing to load global subprocess.check_output"]) {
            try load(bytes("(S'ls'\nisubprocess\ncheck_output\n."))
        }
        // A user class such as the original repo's config object.
        assertCheckpointError(["refusing to load global DeBERTa.deberta.config.ModelConfig"]) {
            try load(bytes("\u{80}\u{02}cDeBERTa.deberta.config\nModelConfig\n)\u{81}."))
        }
    }

    func testRefusedGlobalInsideATorchZip() throws {
        let pickle = bytes("\u{80}\u{02}cos\nsystem\nX\u{02}\u{00}\u{00}\u{00}ls\u{85}R.")
        let url = try writeTemporaryFile(TestFiles.zip([("archive/data.pkl", pickle), ("archive/version", Array("3\n".utf8))]), named: "evil.pt")
        assertCheckpointError(["evil.pt", "archive/data.pkl", "refusing to load global os.system"]) { try CheckpointFile.loadTensors(from: url) }
    }

    func testTruncatedPickle() {
        let full = bytes("\u{80}\u{02}}q\u{00}X\u{03}\u{00}\u{00}\u{00}abcq\u{01}K\u{01}s.")
        XCTAssertEqual(try load(full), .dict([(.string("abc"), .int(1))]))
        for cut in [3, 8, 12, full.count - 1] {
            assertCheckpointError(["truncated pickle"]) { try load(Array(full.prefix(cut))) }
        }
    }

    func testHugeLengthFieldIsRejected() {
        // BINUNICODE8 claiming 2^40 bytes.
        assertCheckpointError(["length 1099511627776 exceeds the 3 bytes that remain"]) {
            try load(bytes("\u{80}\u{04}\u{8d}") + le(1 << 40, 8) + bytes("abc"))
        }
        assertCheckpointError(["LONG4 integer of 100000 bytes is too large"]) {
            try load(bytes("\u{80}\u{02}\u{8b}") + le(100_000, 4) + [UInt8](repeating: 1, count: 100_000) + bytes("."))
        }
    }

    func testDeepNestingAndCyclesAreBounded() {
        // 100 000 nested 1-tuples: refused at the nesting limit, and torn down without deep recursion.
        assertCheckpointError(["nested deeper than 512 levels"]) {
            try load(bytes("\u{80}\u{02}K\u{01}") + [UInt8](repeating: 0x85, count: 100_000) + bytes("."))
        }
        // A list that contains itself.
        assertCheckpointError(["reference cycle"]) { try load(bytes("\u{80}\u{02}]q\u{00}h\u{00}a.")) }
    }

    func testExponentialSharingIsBounded() {
        // L0 = [1]; L(i) = [L(i-1), L(i-1)] for 60 levels: 2^60 nodes if expanded.
        var pickle = bytes("\u{80}\u{02}]q\u{00}K\u{01}a")
        for level in 1...60 {
            pickle += [UInt8(ascii: "("), UInt8(ascii: "h"), UInt8(level - 1), UInt8(ascii: "h"), UInt8(level - 1),
                       UInt8(ascii: "l"), UInt8(ascii: "q"), UInt8(level)]
        }
        pickle += bytes(".")
        assertCheckpointError(["grows beyond"]) { try load(pickle) }
    }

    func testMalformedOpcodeStreams() {
        assertCheckpointError(["unknown pickle opcode 0xff"]) { try load(bytes("\u{80}\u{02}\u{ff}")) }
        assertCheckpointError(["stack underflow"]) { try load(bytes("\u{80}\u{02}a.")) }
        assertCheckpointError(["memo key 5 is not defined"]) { try load(bytes("\u{80}\u{02}h\u{05}.")) }
        assertCheckpointError(["unsupported pickle protocol 9"]) { try load(bytes("\u{80}\u{09}N.")) }
        assertCheckpointError(["persistent id 'module'"]) { try load(bytes("\u{80}\u{02}X\u{06}\u{00}\u{00}\u{00}module\u{85}Q.")) }
    }

    func testProtocolZeroAndOtherOpcodesDecode() throws {
        // Protocol 0: a dict with text INT/LONG/FLOAT/STRING/UNICODE values, a list, a tuple and True.
        let pickle = bytes("(dp0\nS'i'\np1\nI42\nsS'l'\nL-7L\nsS'f'\nF1.5\nsS's'\nS'a\\'b\\x41'\nsS'u'\nVx\\u00e9\nsS'list'\n(lp2\nI1\naI01\na(I2\nI3\ntp3\nas.")
        XCTAssertEqual(try load(pickle), .dict([
            (.string("i"), .int(42)), (.string("l"), .int(-7)), (.string("f"), .float(1.5)),
            (.string("s"), .string("a'bA")), (.string("u"), .string("xé")),
            (.string("list"), .list([.int(1), .bool(true), .tuple([.int(2), .int(3)])])),
        ]))
        // Protocol 4 with FRAME, MEMOIZE, big LONG1, BINFLOAT, bytes, an empty set filled by ADDITEMS, frozenset.
        let body = bytes("(\u{8a}\u{09}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{01}\u{94}") // 2^64
            + bytes("G\u{3f}\u{f8}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}C\u{02}\u{00}\u{ff}")
            + bytes("\u{8f}(K\u{01}K\u{02}K\u{01}\u{90}(K\u{05}\u{91}\u{8a}\u{01}\u{ff}t.")
        let framed = bytes("\u{80}\u{04}\u{95}") + le(UInt64(body.count), 8) + body
        XCTAssertEqual(try load(framed), .tuple([
            .bigInt(littleEndianBytes: [0, 0, 0, 0, 0, 0, 0, 0, 1]), .float(1.5), .bytes([0, 255]),
            .set([.int(1), .int(2)]), .set([.int(5)]), .int(-1),
        ]))
        // Protocol 2 bytes via _codecs.encode, and OrderedDict with duplicate keys (last wins, first position kept).
        let codecs = bytes("\u{80}\u{02}ccollections\nOrderedDict\n)R(X\u{01}\u{00}\u{00}\u{00}aK\u{01}X\u{01}\u{00}\u{00}\u{00}bc_codecs\nencode\nX\u{03}\u{00}\u{00}\u{00}\u{c3}\u{bf}\u{41}X\u{06}\u{00}\u{00}\u{00}latin1\u{86}RX\u{01}\u{00}\u{00}\u{00}aK\u{03}u.")
        XCTAssertEqual(try load(codecs), .dict([(.string("a"), .int(3)), (.string("b"), .bytes([0xFF, 0x41]))]))
    }
}

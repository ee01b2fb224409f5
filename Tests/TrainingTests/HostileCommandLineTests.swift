import DeBERTaCheckpoint
import DeBERTaTestSupport
import Foundation
import XCTest

/// The hostile files of issue 19 run through the `deberta` executable: each used to crash it (a
/// signal), stop it in the allocator, run for minutes, or exit 0 with outputs computed from silently
/// changed values. Now each exits with status 1 and one line on standard error naming the problem.
final class HostileCommandLineTests: XCTestCase {
    let example = Executable.packageRoot.appendingPathComponent("Examples/deberta-v3-tiny")

    func run(_ arguments: [String]) throws -> (status: Int32, reason: Process.TerminationReason, stderr: String) {
        let p = Process()
        p.executableURL = try Executable.binary()
        p.arguments = arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, p.terminationReason, String(decoding: data, as: UTF8.self))
    }

    /// Asserts a clean failure: exit status 1 (not a signal) and `fragment` on standard error.
    func assertFails(_ arguments: [String], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try run(arguments)
        XCTAssertEqual(r.reason, .exit, "terminated by a signal: \(r.stderr.prefix(400))", file: file, line: line)
        XCTAssertEqual(r.status, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(fragment), "'\(r.stderr.prefix(600))' lacks '\(fragment)'", file: file, line: line)
    }

    /// A model folder: the example's weights and its config.json with `changes` applied.
    func modelFolder(_ changes: [String: Any]) throws -> URL {
        let folder = try makeTemporaryDirectory(prefix: "hostile-model")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: example.appendingPathComponent("config.json"))) as! [String: Any]
        for (key, value) in changes { config[key] = value }
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: example.appendingPathComponent("model.safetensors"), to: folder.appendingPathComponent("model.safetensors"))
        return folder
    }

    func forward(model: URL, inputs: URL, labels: Bool = false) -> [String] {
        ["forward", "--model", model.path, "--inputs", inputs.path, "--output", inputs.deletingLastPathComponent().appendingPathComponent("out.safetensors").path]
            + (labels ? ["--labels"] : [])
    }

    /// Confirmed before the fix: "Fatal error: UnsafeMutablePointer.initialize(repeating:count:):
    /// negative count" (embedding_size, pooler_hidden_size), "Fatal error: out of memory: could not
    /// map 134217728 MiB for a tensor" (type_vocab_size 10¹²), "arithmetic overflow" (position_buckets 2⁶²).
    func testHostileConfigurationsAreErrors() throws {
        let inputs = example.appendingPathComponent("inputs.safetensors")
        let cases: [([String: Any], String)] = [
            (["embedding_size": -1], "config.json: embedding_size -1 must be at least 1"),
            (["pooler_hidden_size": -1], "config.json: pooler_hidden_size -1 must be at least 1"),
            (["type_vocab_size": 1_000_000_000_000], "config.json: type_vocab_size 1000000000000 exceeds 2147483647"),
            (["type_vocab_size": 2_000_000_000], "more than this machine's"),
            (["position_buckets": 1 << 62], "config.json: position_buckets 4611686018427387904 exceeds 1073741824"),
            (["num_labels": -2, "id2label": [String: String](), "label2id": [String: Int]()], "config.json: num_labels -2 must be at least 0"),
        ]
        for (changes, fragment) in cases {
            try assertFails(forward(model: try modelFolder(changes), inputs: inputs), fragment)
        }
    }

    func inputsFile(_ tensors: [String: StoredTensor]) throws -> URL {
        let url = try makeTemporaryDirectory(prefix: "hostile-inputs").appendingPathComponent("inputs.safetensors")
        try SafeTensors.write(tensors, metadata: nil, to: url)
        return url
    }

    /// Confirmed before the fix: each of these exited 0 with outputs (ids wrapped to 32 bits, a
    /// boolean tensor read as ids, labels −5 and [1, 2] for a batch of 2 accepted), and the
    /// 20,000-token input ran past two minutes.
    func testHostileInputsAreErrors() throws {
        let ids = StoredTensor(int64: [1, 5, 6, 2, 1, 7, 8, 2], shape: [2, 4])
        func check(_ tensors: [String: StoredTensor], labels: Bool = false, _ fragment: String, line: UInt = #line) throws {
            try assertFails(forward(model: example, inputs: try inputsFile(tensors), labels: labels), fragment, line: line)
        }
        try check(["input_ids": StoredTensor(int64: [1, 5, (1 << 32) + 7, 2], shape: [1, 4])],
                  "'input_ids' value 4294967303 (element 2) is outside the 32-bit range of ids")
        try check(["input_ids": StoredTensor(int64: [1, 5, 1000, 2], shape: [1, 4])], "token id 1000 outside the vocabulary [0, 128)")
        try check(["input_ids": try StoredTensor(dtype: .bool, shape: [1, 4], littleEndianBytes: Data([1, 0, 1, 1]))],
                  "'input_ids' must be an int64 or int32 tensor, found BOOL")
        try check(["input_ids": StoredTensor(int64: [Int64](repeating: 5, count: 20_000), shape: [1, 20_000])],
                  "sequence length 20000 exceeds 4096")
        try check(["input_ids": ids, "labels": StoredTensor(int64: [-5, 1], shape: [2])], labels: true,
                  "sequence classification: label -5 outside [0, 3)")
        try check(["input_ids": ids, "labels": StoredTensor(int64: [(1 << 32) + 1, 1], shape: [2])], labels: true,
                  "'labels' value 4294967297 (element 0) is outside the 32-bit range")
        try check(["input_ids": ids, "labels": StoredTensor(int64: [1, 0], shape: [1, 2])], labels: true,
                  "labels of shape [1, 2] for a batch of 2 sequences")
        // A boolean attention mask is what transformers accepts; it still runs.
        let ok = try run(forward(model: example, inputs: try inputsFile([
            "input_ids": ids, "attention_mask": try StoredTensor(dtype: .bool, shape: [2, 4], littleEndianBytes: Data([1, 1, 1, 1, 1, 1, 0, 0]))])))
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }

    func tokenizerFolder(_ files: [String: Data]) throws -> URL {
        let source = try References.url("data/tokenizers/deberta-v3-style")
        let folder = try makeTemporaryDirectory(prefix: "hostile-tokenizer").appendingPathComponent("tokenizer")
        try FileManager.default.copyItem(at: source, to: folder)
        for (name, data) in files { try data.write(to: folder.appendingPathComponent(name)) }
        return folder
    }

    /// Confirmed before the fix: "Swift runtime failure: arithmetic overflow".
    func testHostileTokenizerFilesAreErrors() throws {
        let input = try makeTemporaryDirectory(prefix: "hostile-text").appendingPathComponent("in.txt")
        try Data("hello world\n".utf8).write(to: input)
        let folder = try tokenizerFolder(["added_tokens.json": Data(#"{"[MASK]": 9223372036854775807}"#.utf8)])
        try assertFails(["tokenize", "--tokenizer", folder.path, "--input", input.path, "--output", input.path + ".jsonl"],
                        "added_tokens.json: the id of \"[MASK]\" is 9223372036854775807, beyond the largest token id 2147483646")
    }

    /// `tokenize` streams: lines across several batches come out in order, each as the one-line
    /// file would give it, and a FIFO (which never ends) is refused up front.
    func testTokenizeStreamsManyLinesInOrder() throws {
        let folder = try References.url("data/tokenizers/deberta-v3-style")
        let tmp = try makeTemporaryDirectory(prefix: "tokenize-stream")
        let texts = (0..<10_000).map { "line \($0) of the input, number \($0 * 7)" }
        let input = tmp.appendingPathComponent("in.txt"), output = tmp.appendingPathComponent("out.jsonl")
        try Data((texts.joined(separator: "\r\n") + "\r\n").utf8).write(to: input)
        let r = try run(["tokenize", "--tokenizer", folder.path, "--input", input.path, "--output", output.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 10_001, "10,000 lines and the final newline")
        for k in [0, 4095, 4096, 8191, 8192, 9999] {
            let one = tmp.appendingPathComponent("one.txt"), oneOut = tmp.appendingPathComponent("one.jsonl")
            try Data(texts[k].utf8).write(to: one)
            XCTAssertEqual(try run(["tokenize", "--tokenizer", folder.path, "--input", one.path, "--output", oneOut.path]).status, 0)
            XCTAssertEqual(String(lines[k]) + "\n", try String(contentsOf: oneOut, encoding: .utf8), "line \(k + 1)")
        }
        let fifo = tmp.appendingPathComponent("fifo")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        try assertFails(["tokenize", "--tokenizer", folder.path, "--input", fifo.path, "--output", output.path], "fifo: not a regular file")
    }
}

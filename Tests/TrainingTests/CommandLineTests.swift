import DeBERTaCheckpoint
import DeBERTaTestSupport
import Foundation
import XCTest

/// The `deberta` executable: the golden-test interface and its error contract (stderr, exit 1).
final class CommandLineTests: XCTestCase {
    func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let exe = try Executable.binary()
        let p = Process()
        p.executableURL = exe
        p.arguments = arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    var packageRoot: URL { Executable.packageRoot }

    /// `deberta forward --labels --gradients` on the bundled example (the v3-tiny fixture with its
    /// seqcls3 head) writes the reference logits, loss and every gradient.
    func testForwardWritesLogitsLossAndGradients() throws {
        let reference = try References.url("fixtures/deberta-v3-tiny/reference.safetensors")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("forward-\(getpid()).safetensors")
        defer { try? FileManager.default.removeItem(at: out) }
        let example = packageRoot.appendingPathComponent("Examples/deberta-v3-tiny")
        let (status, stderr) = try run(["forward", "--model", example.path, "--inputs", example.appendingPathComponent("inputs.safetensors").path,
                                        "--output", out.path, "--labels", "--gradients"])
        XCTAssertEqual(status, 0, stderr)
        let ours = try SafeTensors.read(from: out).tensors
        let ref = try SafeTensors.read(from: reference).tensors
        XCTAssertEqual(ours["logits"]!.shape, [3, 3])
        XCTAssertEqual(zip(ours["logits"]!.floatValues(), ref["seqcls3.logits"]!.floatValues()).map { abs($0 - $1) }.max()!, 0, accuracy: 5e-6)
        XCTAssertEqual(ours["loss"]!.floatValues()[0], ref["seqcls3.loss"]!.floatValues()[0], accuracy: 1e-5)
        let grads = ref.keys.filter { $0.hasPrefix("grad.") }
        XCTAssertEqual(grads.count, 42, "the fixture's reference gradients")
        XCTAssertEqual(Set(ours.keys.filter { $0.hasPrefix("grad.") }), Set(grads))
        for g in grads {
            XCTAssertLessThanOrEqual(zip(ours[g]!.floatValues(), ref[g]!.floatValues()).map { abs($0 - $1) }.max()!, 1e-6, g)
        }
        XCTAssertEqual(ours["hidden_states.2"]!.shape, [3, 11, 32])
    }

    /// `deberta forward` with a `[B, N, N]` attention_mask and `--attentions`, then with position_ids,
    /// on the v1-absolute fixture (absolute positions in its input): transformers' outputs from
    /// `Tests/References/attention/deberta-v1-absolute.safetensors`.
    func testForwardTakesPairMasksPositionIdsAndWritesAttentions() throws {
        let fixture = try References.fixture("deberta-v1-absolute")
        let ref = try SafeTensors.read(from: try References.url("attention/deberta-v1-absolute.safetensors")).tensors
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("forward-seed-\(getpid())")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        func worst(_ a: StoredTensor?, _ b: StoredTensor?) -> Float {
            guard let a, let b, a.shape == b.shape else { return .infinity }
            return zip(a.floatValues(), b.floatValues()).map { abs($0 - $1) }.max()!
        }
        let runs: [(String, [String: String], [String], [(String, String)])] = [
            ("pairs", ["attention_mask": "mask3d"], ["--attentions"],
             [("hidden_states.2", "mask3d.hidden_states.2"), ("attentions.0", "mask3d.attentions.0"), ("attentions.1", "mask3d.attentions.1")]),
            ("positions", ["attention_mask": "attention_mask", "position_ids": "position_ids"], [],
             [("hidden_states.0", "position_ids.hidden_states.0"), ("last_hidden_state", "position_ids.hidden_states.2")]),
        ]
        for (name, inputs, flags, checks) in runs {
            var tensors = ["input_ids": ref["input_ids"]!, "token_type_ids": ref["token_type_ids"]!]
            for (key, source) in inputs { tensors[key] = ref[source]! }
            let inputURL = tmp.appendingPathComponent("\(name).in.safetensors"), out = tmp.appendingPathComponent("\(name).out.safetensors")
            try SafeTensors.write(tensors, metadata: ["format": "pt"], to: inputURL)
            let (status, stderr) = try run(["forward", "--model", fixture.path, "--inputs", inputURL.path, "--output", out.path] + flags)
            XCTAssertEqual(status, 0, stderr)
            let ours = try SafeTensors.read(from: out).tensors
            for (mine, theirs) in checks {
                XCTAssertLessThanOrEqual(worst(ours[mine], ref[theirs]), 1e-5, "\(name): \(mine) vs \(theirs)")
            }
            XCTAssertEqual(ours.keys.contains("attentions.0"), !flags.isEmpty, name)
        }
    }

    func testErrorsGoToStandardErrorWithStatus1() throws {
        var r = try run(["forward", "--model", "/nonexistent", "--inputs", "x", "--output", "y"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("/nonexistent: no such model folder"), r.stderr)
        let example = packageRoot.appendingPathComponent("Examples/deberta-v3-tiny")
        r = try run(["forward", "--model", example.path, "--inputs", example.appendingPathComponent("config.json").path, "--output", "/tmp/never"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("config.json"), r.stderr)
        r = try run(["train", "--task_name", "nosuchtask", "--do_train", "--data_dir", "/tmp", "--output_dir", "/tmp/x"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.lowercased().contains("nosuchtask"), r.stderr)
    }

    /// `deberta tokenize`: ids of the reference tokenizer, pairs with token types, and a named line for invalid UTF-8.
    func testTokenizeWritesJSONLinesAndRejectsInvalidUTF8() throws {
        let folder = try References.url("data/tokenizers/deberta-v3-style")
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("tokenize-\(getpid())")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let input = tmp.appendingPathComponent("in.txt"), output = tmp.appendingPathComponent("out.jsonl")
        try Data("this is the first sentence\tHello world!\n".utf8).write(to: input)
        var r = try run(["tokenize", "--tokenizer", folder.path, "--input", input.path, "--output", output.path, "--pairs"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try String(contentsOf: output, encoding: .utf8),
                       "{\"input_ids\": [1, 56, 22, 5, 104, 3790, 2, 103, 165, 71, 287, 3, 2], \"token_type_ids\": [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]}\n")
        try Data([0x6F, 0x6B, 0x0A, 0x62, 0x61, 0xFF, 0x64, 0x0A]).write(to: input)
        r = try run(["tokenize", "--tokenizer", folder.path, "--input", input.path, "--output", output.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("in.txt:2: invalid UTF-8"), r.stderr)
    }
}

import Foundation
import XCTest

/// `deberta train` killed with SIGKILL after a checkpoint and restarted with `--resume` gives the
/// per-step losses of a run that was never interrupted (training_log.jsonl), bit for bit.
/// The package root and the built `deberta` executable (tests that run it skip when it is absent).
enum Executable {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func binary() throws -> URL {
        for configuration in ["debug", "release"] {
            let url = packageRoot.appendingPathComponent(".build/\(configuration)/deberta")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        print("skipping: the deberta executable is not built (swift build --build-tests builds it)")
        throw XCTSkip("deberta executable not built")
    }
}

final class ResumeAfterKillTests: XCTestCase {
    func launch(_ binary: URL, _ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func testKilledRunResumesToTheSameLosses() throws {
        let exe = try Executable.binary()
        let rte = sharedData.appendingPathComponent("glue/RTE")
        guard FileManager.default.fileExists(atPath: rte.path) else { throw XCTSkip("shared GLUE data absent") }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("deberta-kill-\(getpid())")
        defer { try? FileManager.default.removeItem(at: tmp) }
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let config = tmp.appendingPathComponent("config.json")
        try Data("""
        {"model_type": "deberta-v2", "vocab_size": 8064, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
         "intermediate_size": 64, "relative_attention": true, "position_buckets": 32, "max_relative_positions": 128,
         "pos_att_type": "p2c|c2p", "position_biased_input": false, "share_att_key": true, "norm_rel_ebd": "layer_norm"}
        """.utf8).write(to: config)
        func arguments(_ out: URL) -> [String] {
            ["train", "--task_name", "RTE", "--do_train", "--data_dir", rte.path, "--output_dir", out.path,
             "--model_config", config.path, "--vocab_path", sharedData.appendingPathComponent("tokenizers/deberta-v3-style").path,
             "--max_seq_len", "48", "--train_batch_size", "8", "--num_train_epochs", "1", "--max_train_examples", "480",
             "--learning_rate", "1e-3", "--dump_interval", "10", "--threads", "1"]
        }
        let straight = tmp.appendingPathComponent("straight"), killed = tmp.appendingPathComponent("killed")
        let reference = try launch(exe, arguments(straight))
        reference.waitUntilExit()
        XCTAssertEqual(reference.terminationStatus, 0)

        let first = try launch(exe, arguments(killed))
        let marker = killed.appendingPathComponent("checkpoints/checkpoint-000020")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: marker.path) && first.isRunning && Date() < deadline { usleep(2000) }
        XCTAssertTrue(first.isRunning, "the run ended before it could be killed")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationReason, .uncaughtSignal)
        let resumed = try launch(exe, arguments(killed) + ["--resume"])
        resumed.waitUntilExit()
        XCTAssertEqual(resumed.terminationStatus, 0)

        let a = try String(contentsOf: straight.appendingPathComponent("training_log.jsonl"), encoding: .utf8)
        let b = try String(contentsOf: killed.appendingPathComponent("training_log.jsonl"), encoding: .utf8)
        XCTAssertEqual(a.split(separator: "\n").count, 60)
        XCTAssertEqual(a, b)
    }
}

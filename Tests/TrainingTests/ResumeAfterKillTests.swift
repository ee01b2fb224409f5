import DeBERTaTestSupport
import Foundation
import XCTest

/// The package root and the built `deberta` executable (tests that run it fail when it is absent).
enum Executable {
    static let packageRoot = References.packageRoot

    static func binary() throws -> URL { try debertaExecutable() }
}

/// `deberta train` killed with SIGKILL after a checkpoint and restarted with `--resume` gives the
/// per-step losses of a run that was never interrupted (training_log.jsonl), bit for bit.

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

    /// Runs `arguments(straight)` to the end; runs `arguments(killed)`, kills it with SIGKILL as soon
    /// as its step-20 checkpoint exists, and finishes it with `--resume`.
    func runStraightAndKilled(_ exe: URL, _ arguments: (URL) -> [String], straight: URL, killed: URL, timeout: TimeInterval) throws {
        let reference = try launch(exe, arguments(straight))
        reference.waitUntilExit()
        XCTAssertEqual(reference.terminationStatus, 0)

        let first = try launch(exe, arguments(killed))
        let marker = killed.appendingPathComponent("checkpoints/checkpoint-000020")
        let deadline = Date().addingTimeInterval(timeout)
        while !FileManager.default.fileExists(atPath: marker.path) && first.isRunning && Date() < deadline { usleep(2000) }
        XCTAssertTrue(first.isRunning, "the run ended before it could be killed")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationReason, .uncaughtSignal)
        let resumed = try launch(exe, arguments(killed) + ["--resume"])
        resumed.waitUntilExit()
        XCTAssertEqual(resumed.terminationStatus, 0)
    }

    func testKilledRunResumesToTheSameLosses() throws {
        let exe = try Executable.binary()
        let rte = try References.url("data/glue/RTE")
        let tokenizer = try References.url("data/tokenizers/deberta-v3-style")
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
             "--model_config", config.path, "--vocab_path", tokenizer.path,
             "--max_seq_len", "48", "--train_batch_size", "8", "--num_train_epochs", "1", "--max_train_examples", "480",
             "--learning_rate", "1e-3", "--dump_interval", "10", "--threads", "1"]
        }
        let straight = tmp.appendingPathComponent("straight"), killed = tmp.appendingPathComponent("killed")
        try runStraightAndKilled(exe, arguments, straight: straight, killed: killed, timeout: 120)

        let a = try String(contentsOf: straight.appendingPathComponent("training_log.jsonl"), encoding: .utf8)
        let b = try String(contentsOf: killed.appendingPathComponent("training_log.jsonl"), encoding: .utf8)
        XCTAssertEqual(a.split(separator: "\n").count, 60)
        XCTAssertEqual(a, b)
        let evalA = try String(contentsOf: straight.appendingPathComponent("eval_results.jsonl"), encoding: .utf8)
        let evalB = try String(contentsOf: killed.appendingPathComponent("eval_results.jsonl"), encoding: .utf8)
        XCTAssertEqual(evalA.split(separator: "\n").count, 6)
        XCTAssertEqual(evalA, evalB)
    }

    /// `deberta pretrain --task rtd` killed after a checkpoint and resumed writes the same per-step
    /// losses and evaluations as an uninterrupted run, bit for bit.
    func testKilledPretrainingResumesToTheSameLosses() throws {
        let exe = try Executable.binary()
        let corpus = try References.url("data/corpus/gutenberg/botchan.txt")
        let spm = try References.url("data/tokenizers/deberta-v3-style")
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("deberta-pretrain-kill-\(getpid())")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let data = tmp.appendingPathComponent("data")
        for split in ["train", "valid"] {
            let p = try launch(exe, ["prepare-data", "--vocab_path", spm.path, "--input", corpus.path, "--max_seq_len", "32",
                                     "--output", data.appendingPathComponent("\(split).txt").path])
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0)
        }
        let section = """
        "vocab_size": 8001, "hidden_size": 32, "num_attention_heads": 4, "intermediate_size": 64, "max_position_embeddings": 64,
        "relative_attention": true, "position_buckets": 16, "pos_att_type": "p2c|c2p", "position_biased_input": false,
        "share_att_key": true, "norm_rel_ebd": "layer_norm", "type_vocab_size": 0
        """
        let config = tmp.appendingPathComponent("rtd.json")
        try Data("""
        {"embedding_sharing": "gdes", "generator": {\(section), "num_hidden_layers": 1},
         "discriminator": {\(section), "num_hidden_layers": 2}}
        """.utf8).write(to: config)
        func arguments(_ out: URL) -> [String] {
            ["pretrain", "--task", "rtd", "--data_dir", data.path, "--output_dir", out.path, "--model_config", config.path,
             "--vocab_path", spm.path, "--max_seq_len", "32", "--num_training_steps", "40", "--train_batch_size", "4",
             "--learning_rate", "1e-3", "--warmup", "5", "--dump_interval", "10", "--max_eval_examples", "8", "--threads", "1"]
        }
        let straight = tmp.appendingPathComponent("straight"), killed = tmp.appendingPathComponent("killed")
        try runStraightAndKilled(exe, arguments, straight: straight, killed: killed, timeout: 300)

        for file in ["training_log.jsonl", "eval_results.jsonl"] {
            let a = try String(contentsOf: straight.appendingPathComponent(file), encoding: .utf8)
            let b = try String(contentsOf: killed.appendingPathComponent(file), encoding: .utf8)
            XCTAssertEqual(a.split(separator: "\n").count, file == "training_log.jsonl" ? 40 : 4, file)
            XCTAssertEqual(a, b, file)
        }
    }
}

import DeBERTaTestSupport
import Foundation
import XCTest
@testable import DeBERTaTraining

/// The faults of a long run: SIGTERM makes `deberta train` write a checkpoint and exit (status 143)
/// instead of dying mid-step, and `--resume` skips a damaged newest checkpoint for the one before it,
/// with a warning; either way the finished run is the uninterrupted one, bit for bit.
final class StopAndFallbackTests: XCTestCase {
    /// Launches `deberta` with standard error going to `log` (a pipe could fill and block the run).
    func launch(_ arguments: [String], log: URL) throws -> Process {
        XCTAssertTrue(FileManager.default.createFile(atPath: log.path, contents: nil))
        let p = Process()
        p.executableURL = try Executable.binary()
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: log)
        try p.run()
        return p
    }

    func lines(_ url: URL) -> Int {
        ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    func testSIGTERMCheckpointsAndResumeFallsBackPastADamagedCheckpoint() throws {
        let rte = try References.url("data/glue/RTE")
        let tokenizer = try References.url("data/tokenizers/deberta-v3-style")
        let tmp = try makeTemporaryDirectory(prefix: "deberta-sigterm")
        let config = tmp.appendingPathComponent("config.json")
        try Data("""
        {"model_type": "deberta-v2", "vocab_size": 8064, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
         "intermediate_size": 32, "relative_attention": true, "position_buckets": 16, "max_relative_positions": 64,
         "pos_att_type": "p2c|c2p", "position_biased_input": false, "share_att_key": true, "norm_rel_ebd": "layer_norm"}
        """.utf8).write(to: config)
        func arguments(_ out: URL) -> [String] {
            ["train", "--task_name", "RTE", "--do_train", "--data_dir", rte.path, "--output_dir", out.path,
             "--model_config", config.path, "--vocab_path", tokenizer.path, "--max_seq_len", "32", "--train_batch_size", "8",
             "--num_train_epochs", "1", "--max_train_examples", "320", "--max_eval_examples", "16",
             "--learning_rate", "1e-3", "--dump_interval", "10", "--threads", "1"]
        }
        let straight = tmp.appendingPathComponent("straight"), stopped = tmp.appendingPathComponent("stopped")
        let reference = try launch(arguments(straight), log: tmp.appendingPathComponent("straight.log"))
        reference.waitUntilExit()
        XCTAssertEqual(reference.terminationStatus, 0)
        XCTAssertEqual(lines(straight.appendingPathComponent("training_log.jsonl")), 40)

        // SIGTERM once the first checkpoint (step 10) is written and a few more steps are done.
        let stopLog = tmp.appendingPathComponent("stopped.log")
        let run = try launch(arguments(stopped), log: stopLog)
        let deadline = Date().addingTimeInterval(300)
        while lines(stopped.appendingPathComponent("training_log.jsonl")) < 13 && run.isRunning && Date() < deadline { usleep(2000) }
        XCTAssertTrue(run.isRunning, "the run ended before it could be stopped")
        kill(run.processIdentifier, SIGTERM)
        run.waitUntilExit()
        let stopMessage = try String(contentsOf: stopLog, encoding: .utf8)
        XCTAssertEqual(run.terminationReason, .exit, "not killed by the signal")
        XCTAssertEqual(run.terminationStatus, 128 + SIGTERM, stopMessage)
        // "stopped by SIGTERM after step <n>; <checkpoint> written, continue with --resume"
        let tail = try XCTUnwrap(stopMessage.components(separatedBy: "stopped by SIGTERM after step ").last, stopMessage)
        let parts = tail.components(separatedBy: "; ")
        XCTAssertTrue(parts.count == 2 && parts[1].hasSuffix(" written, continue with --resume\n"), stopMessage)
        let step = try XCTUnwrap(Int(parts[0]), stopMessage)
        XCTAssertGreaterThanOrEqual(step, 13)
        XCTAssertLessThan(step, 40)
        XCTAssertEqual(lines(stopped.appendingPathComponent("training_log.jsonl")), step)
        let checkpoint = URL(fileURLWithPath: String(parts[1].dropLast(" written, continue with --resume\n".count)))
        XCTAssertEqual(checkpoint.lastPathComponent, String(format: "checkpoint-%06d", step))
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint.appendingPathComponent("trainer_state.json").path))

        // A copy whose newest checkpoint is damaged: resume falls back to checkpoint-000010.
        let damaged = tmp.appendingPathComponent("damaged")
        try FileManager.default.copyItem(at: stopped, to: damaged)
        let weights = damaged.appendingPathComponent("checkpoints/\(checkpoint.lastPathComponent)/model.safetensors")
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count / 2).write(to: weights)

        let resumeLog = tmp.appendingPathComponent("resumed.log")
        let resumed = try launch(arguments(stopped) + ["--resume"], log: resumeLog)
        resumed.waitUntilExit()
        let resumeMessages = try String(contentsOf: resumeLog, encoding: .utf8)
        XCTAssertEqual(resumed.terminationStatus, 0, resumeMessages)
        XCTAssertTrue(resumeMessages.contains("resumed from \(checkpoint.lastPathComponent): step \(step)"), resumeMessages)

        let fallbackLog = tmp.appendingPathComponent("fallback.log")
        let fallback = try launch(arguments(damaged) + ["--resume"], log: fallbackLog)
        fallback.waitUntilExit()
        let fallbackMessages = try String(contentsOf: fallbackLog, encoding: .utf8)
        XCTAssertEqual(fallback.terminationStatus, 0, fallbackMessages)
        XCTAssertTrue(fallbackMessages.contains("cannot resume from \(checkpoint.lastPathComponent) ("), fallbackMessages)
        XCTAssertTrue(fallbackMessages.contains("model.safetensors"), "the warning names the damaged file")
        XCTAssertTrue(fallbackMessages.contains("falling back to checkpoint-000010"), fallbackMessages)
        XCTAssertTrue(fallbackMessages.contains("resumed from checkpoint-000010: step 10"), fallbackMessages)

        for file in ["training_log.jsonl", "eval_results.jsonl"] {
            let a = try String(contentsOf: straight.appendingPathComponent(file), encoding: .utf8)
            XCTAssertEqual(a, try String(contentsOf: stopped.appendingPathComponent(file), encoding: .utf8), "stopped and resumed: \(file)")
            XCTAssertEqual(a, try String(contentsOf: damaged.appendingPathComponent(file), encoding: .utf8), "fallen back: \(file)")
        }
    }

    /// The fallback rule on its own: newest first, a failure reported and skipped, nil without
    /// checkpoints, an error (not a fresh start) when none can be restored.
    func testRestoreLatestFallsBackNewestFirst() throws {
        let directory = try makeTemporaryDirectory(prefix: "checkpoints")
        XCTAssertNil(try CheckpointFolder.restoreLatest(in: directory, warn: { XCTFail($0) }) { _ in 0 })
        for step in [10, 20, 30] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(String(format: "checkpoint-%06d", step)), withIntermediateDirectories: true)
        }
        struct Damaged: Error, CustomStringConvertible { let description = "truncated file" }
        var warnings: [String] = []
        var tried: [String] = []
        let restored = try CheckpointFolder.restoreLatest(in: directory, warn: { warnings.append($0) }) { folder -> String in
            tried.append(folder.url.lastPathComponent)
            if folder.url.lastPathComponent != "checkpoint-000010" { throw Damaged() }
            return "ok"
        }
        XCTAssertEqual(restored?.folder.url.lastPathComponent, "checkpoint-000010")
        XCTAssertEqual(restored?.value, "ok")
        XCTAssertEqual(tried, ["checkpoint-000030", "checkpoint-000020", "checkpoint-000010"])
        XCTAssertEqual(warnings, ["cannot resume from checkpoint-000030 (truncated file); falling back to checkpoint-000020",
                                  "cannot resume from checkpoint-000020 (truncated file); falling back to checkpoint-000010"])
        XCTAssertThrowsError(try CheckpointFolder.restoreLatest(in: directory, warn: { _ in }) { _ -> Int in throw Damaged() }) { error in
            XCTAssertTrue("\(error)".contains("none of the 3 checkpoints can be restored; the newest: truncated file"), "\(error)")
        }
    }
}

import DeBERTa
import DeBERTaTestSupport
import Foundation
import XCTest

/// The `deberta` commands take hub names, through the environment as huggingface_hub reads it.
final class HubCommandLineTests: HubServerTestCase {
    /// Two `deberta convert` processes fetch one model into one cache at once: both succeed, each
    /// blob is downloaded once (the other process waits on its lock file), and both wrote the model.
    func testTwoProcessesDownloadingOneModelMakeOneCache() throws {
        server.slowBodies(.milliseconds(10))
        let output = try makeTemporaryDirectory(prefix: "convert")
        let processes = try (0..<2).map { k in
            try start(["convert", "--model", "test-org/deberta-v3-tiny", "--output", output.appendingPathComponent("out\(k)").path])
        }
        for (process, stderr) in processes {
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        let sha = try HubFixtures.recordedSHA256("fixtures/deberta-v3-tiny/model.safetensors")
        XCTAssertEqual(storageGets(sha).count, 1)
        let snapshot = repositoryFolder("test-org/deberta-v3-tiny").appendingPathComponent("snapshots/\(HubFixtures.tinyCommit)")
        XCTAssertEqual(try FileDigest.sha256(ofFile: snapshot.appendingPathComponent("model.safetensors")), sha)
        for k in 0..<2 {
            let (copy, _) = try DeBERTaModel.load(from: output.appendingPathComponent("out\(k)"))
            XCTAssertEqual(copy.parameterCount, try DeBERTaModel.load(from: References.fixture("deberta-v3-tiny")).model.parameterCount)
        }
        XCTAssertFalse(listing(repositoryFolder("test-org/deberta-v3-tiny")).contains { $0.hasSuffix(".incomplete") })
    }

    /// Offline with an empty cache: exit status 1, one line naming the model and what to do, no request.
    func testOfflineErrorOnTheCommandLine() throws {
        let input = try makeTemporaryDirectory(prefix: "tokenize")
        try Data("hello\n".utf8).write(to: input.appendingPathComponent("in.txt"))
        let (process, stderr) = try start(["tokenize", "--tokenizer", "test-org/deberta-v3-tiny", "--input", input.appendingPathComponent("in.txt").path,
                                           "--output", input.appendingPathComponent("out.jsonl").path], offline: true)
        process.waitUntilExit()
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 1)
        XCTAssertTrue(message.hasPrefix("error: model test-org/deberta-v3-tiny: offline (HF_HUB_OFFLINE=1)"), message)
        XCTAssertEqual(server.requests.count, 0)
    }

    private func start(_ arguments: [String], offline: Bool = false) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = try debertaExecutable()
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HF_") && $0.key != "TRANSFORMERS_OFFLINE" }
        environment["HF_ENDPOINT"] = server.endpoint.absoluteString
        environment["HF_HUB_CACHE"] = cacheFolder.path
        if offline { environment["HF_HUB_OFFLINE"] = "1" }
        process.environment = environment
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, stderr)
    }
}

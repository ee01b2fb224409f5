import DeBERTa
import DeBERTaTestSupport
import Foundation
import XCTest

/// Each failure is a ``HubError`` naming the model and saying what to do.
final class HubErrorTests: HubServerTestCase {
    func testMissingRepositoryRevisionAndFiles() async throws {
        await assertThrows(try await resolver.resolve("test-org/no-such-model"),
                           .repositoryNotFound(repository: "test-org/no-such-model", tokenSent: false), mentions: "HF_TOKEN")
        await assertThrows(try await resolver.resolve("test-org/deberta-v3-tiny@v9"),
                           .revisionNotFound(repository: "test-org/deberta-v3-tiny", revision: "v9"), mentions: "@main")
        server.add("test-org/tokenizer-only", files: ["spm.model": try HubFixtures.tinyFiles()["spm.model"]!], commit: HubFixtures.gatedCommit)
        await assertThrows(try await resolver.resolve("test-org/tokenizer-only"),
                           .notAModel(repository: "test-org/tokenizer-only", revision: "main", missing: "config.json"), mentions: "config.json")
        // A tokenizer is all it has, and that is enough for a tokenizer.
        let tokenizer = try await resolver.resolve("test-org/tokenizer-only", files: .tokenizer)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tokenizer.url.path), ["spm.model"])
    }

    func testNoNetwork() async throws {
        await server.stop()  // nothing listens on the port any more
        var c = configuration()
        c.maxRetries = 1
        do {
            _ = try await ModelResolver(configuration: c).resolve("test-org/deberta-v3-tiny")
            XCTFail("resolved without a hub")
        } catch let error as HubError {
            guard case .network(let model, let endpoint, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(model, "test-org/deberta-v3-tiny")
            XCTAssertEqual(endpoint, server.endpoint.absoluteString)
            XCTAssertTrue(error.description.contains("HF_HUB_OFFLINE=1"), error.description)
        }
    }

    /// Without the network, a complete cached snapshot of the revision still serves (as huggingface_hub).
    func testCachedSnapshotServesWhenTheHubIsUnreachable() async throws {
        let online = try await resolver.resolve("test-org/deberta-v3-tiny")
        await server.stop()
        var c = configuration()
        c.maxRetries = 0
        let cached = try await ModelResolver(configuration: c).resolve("test-org/deberta-v3-tiny")
        XCTAssertEqual(cached.url, online.url)
        XCTAssertEqual(cached.source, .cache)
    }

    func testDiskFullBeforeDownloading() async throws {
        server.claimSize(of: "model.safetensors", 1 << 58)
        do {
            _ = try await resolver.resolve("test-org/deberta-v3-tiny")
            XCTFail("a file larger than the disk was started")
        } catch let error as HubError {
            guard case let .diskFull(model, file, _, needed, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(model, "test-org/deberta-v3-tiny")
            XCTAssertEqual(file, "model.safetensors")
            XCTAssertEqual(needed, 1 << 58)
            XCTAssertTrue(error.description.contains("HF_HUB_CACHE"), error.description)
        }
        XCTAssertFalse(listing(repositoryFolder("test-org/deberta-v3-tiny")).contains { $0.hasSuffix("model.safetensors") })
    }

    func testUnknownNames() throws {
        for name in ["no-such-folder", "deberta-v4-base", "-x/y", "org/na--me", "org/name@../../x", "org/name@/etc", ""] {
            XCTAssertThrowsError(try ModelName.parse(name), name) { error in
                guard case HubError.invalidName = error else { return XCTFail("\(name): \(error)") }
                XCTAssertTrue("\(error)".contains("model '\(name)'"), "\(error)")
            }
        }
        // Spelled as paths: left to the loaders, which name the missing folder.
        for name in ["/nonexistent", "./runs/model", "runs/rte/model", "~/models/x"] {
            guard case .path = try ModelName.parse(name) else { return XCTFail("\(name) is a path") }
        }
    }

    private func assertThrows<T>(_ body: @autoclosure () async throws -> T, _ expected: HubError, mentions: String,
                                 file: StaticString = #filePath, line: UInt = #line) async {
        do {
            _ = try await body()
            XCTFail("no error; expected \(expected)", file: file, line: line)
        } catch let error as HubError {
            XCTAssertEqual(error, expected, file: file, line: line)
            XCTAssertTrue(error.description.contains(mentions), error.description, file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }
}

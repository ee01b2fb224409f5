import DeBERTa
import DeBERTaTestSupport
import Foundation
import XCTest

/// Downloads from the test hub into huggingface_hub's cache layout, and loading by name.
final class HubDownloadTests: HubServerTestCase {
    /// A download lays the cache out as huggingface_hub does: `refs/main` holds the commit,
    /// `snapshots/<commit>/<file>` are relative links to `blobs/<etag>`, LFS blobs are named by their
    /// SHA-256; only one weight format comes, no README; the model loaded by name computes exactly
    /// what the fixture folder loaded directly computes.
    func testDownloadFillsTheCacheAsHuggingFaceHubAndLoadsLikeTheFolder() async throws {
        let resolved = try await resolver.resolve("test-org/deberta-v3-tiny")
        let repo = repositoryFolder("test-org/deberta-v3-tiny")
        let snapshot = repo.appendingPathComponent("snapshots/\(HubFixtures.tinyCommit)")
        XCTAssertEqual(resolved.url.path, snapshot.path)
        XCTAssertEqual(resolved.source, .download)
        XCTAssertEqual(resolved.repository, "test-org/deberta-v3-tiny")
        XCTAssertEqual(resolved.commit, HubFixtures.tinyCommit)
        XCTAssertEqual(try String(contentsOf: repo.appendingPathComponent("refs/main"), encoding: .utf8), HubFixtures.tinyCommit, "no newline, as huggingface_hub writes it")

        let weightsSHA = try HubFixtures.recordedSHA256("fixtures/deberta-v3-tiny/model.safetensors")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: snapshot.appendingPathComponent("model.safetensors").path),
                       "../../blobs/\(weightsSHA)")
        XCTAssertEqual(try FileDigest.sha256(ofFile: repo.appendingPathComponent("blobs/\(weightsSHA)")), weightsSHA)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: snapshot.path).sorted(),
                       ["added_tokens.json", "config.json", "model.safetensors", "special_tokens_map.json", "spm.model", "tokenizer_config.json"])
        let configETag = HubTestServer.blobID(try HubFixtures.tinyFiles()["config.json"]!)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: snapshot.appendingPathComponent("config.json").path),
                       "../../blobs/\(configETag)", "small files are named by their ETag")
        XCTAssertFalse(listing(repo.appendingPathComponent("blobs")).contains { $0.hasSuffix(".incomplete") })
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheFolder.appendingPathComponent(".locks/models--test-org--deberta-v3-tiny/\(weightsSHA).lock").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheFolder.appendingPathComponent("CACHEDIR.TAG").path))
        XCTAssertFalse(server.requests.contains { $0.path.contains("pytorch_model.bin") || $0.path.contains("README.md") })

        // Parity: by name (now from the cache) and from the fixture folder.
        let (byName, _) = try await DeBERTaModel.load(pretrained: "test-org/deberta-v3-tiny", hub: configuration())
        let (direct, _) = try DeBERTaModel.load(from: References.fixture("deberta-v3-tiny"))
        let input = ModelInput(inputIds: IndexTensor([1, 5, 17, 42, 99, 2], shape: [1, 6]))
        XCTAssertEqual(try byName.encode(input).last!.scalars, try direct.encode(input).last!.scalars)
    }

    /// Once cached: a branch costs one request (the listing, to learn its commit), a commit none.
    func testCachedModelCostsOneListingRequestAndACommitNone() async throws {
        _ = try await resolver.resolve("test-org/deberta-v3-tiny")
        server.clearLog()
        let again = try await resolver.resolve("test-org/deberta-v3-tiny")
        XCTAssertEqual(again.source, .cache)
        XCTAssertEqual(server.requests.map(\.path), ["/api/models/test-org/deberta-v3-tiny/revision/main"])
        server.clearLog()
        let pinned = try await resolver.resolve("test-org/deberta-v3-tiny@\(HubFixtures.tinyCommit)")
        XCTAssertEqual(pinned.url, again.url)
        XCTAssertEqual(pinned.source, .cache)
        XCTAssertEqual(server.requests.count, 0)
    }

    /// `Tokenizer.load(pretrained:)` fetches the tokenizer files only, and tokenizes as the folder's
    /// tokenizer; `TextClassifier(pretrained:)` classifies as the classifier of the bundled folder.
    func testTokenizerAndClassifierByName() async throws {
        let tokenizer = try await Tokenizer.load(pretrained: "test-org/deberta-v3-tiny", hub: configuration())
        XCTAssertFalse(server.requests.contains { $0.path.contains(".safetensors") || $0.path.hasSuffix("config.json") && !$0.path.contains("tokenizer") },
                       "no weights or model configuration for a tokenizer")
        let reference = try Tokenizer.load(directory: References.url("data/tokenizers/deberta-v3-style"))
        let text = "The hub resolves names to folders, byte for byte."
        XCTAssertEqual(try tokenizer.encode(text, pair: "A second text.").inputIds, try reference.encode(text, pair: "A second text.").inputIds)

        server.add("test-org/deberta-v3-sst2", files: try HubFixtures.sst2Files(), commit: HubFixtures.sst2Commit)
        let classifier = try await TextClassifier(pretrained: "test-org/deberta-v3-sst2", hub: configuration())
        let bundled = try TextClassifier(folder: References.packageFile("Examples/deberta-v3-h256-sst2"))
        let sentences = ["A gripping, moving film.", "Dull and far too long."]
        XCTAssertEqual(try classifier.classify(sentences), try bundled.classify(sentences))
        XCTAssertEqual(classifier.labels, ["negative", "positive"])
    }

    /// The original's short names reach `microsoft/<name>` on the hub (here `v3-xsmall` →
    /// `microsoft/deberta-v3-xsmall`, served with the tiny files).
    func testShortNameDownloadsTheMicrosoftRepository() async throws {
        let resolved = try await resolver.resolve("v3-xsmall")
        XCTAssertEqual(resolved.repository, "microsoft/deberta-v3-xsmall")
        XCTAssertEqual(resolved.url.path, repositoryFolder("microsoft/deberta-v3-xsmall").appendingPathComponent("snapshots/\(HubFixtures.tinyCommit)").path)
        XCTAssertEqual(server.requests.first?.path, "/api/models/microsoft/deberta-v3-xsmall/revision/main")
    }

    /// A connection dropped mid-file is resumed with `Range: bytes=<received>-`, and the file ends
    /// with the right SHA-256.
    func testDroppedConnectionResumesWithARangeRequest() async throws {
        let sha = try HubFixtures.recordedSHA256("fixtures/deberta-v3-tiny/model.safetensors")
        server.dropConnection(of: "model.safetensors", after: 40_000)
        let resolved = try await resolver.resolve("test-org/deberta-v3-tiny")
        let gets = storageGets(sha)
        XCTAssertEqual(gets.count, 2)
        XCTAssertNil(gets[0].header("Range"))
        // From the bytes the client had written when the connection went: at most the 40 000 sent
        // (the client may not have taken the last pieces off the socket before it saw the close).
        let start = gets.count == 2 ? gets[1].header("Range").flatMap { Int($0.dropFirst("bytes=".count).dropLast()) } : nil
        XCTAssertTrue(start.map { 0 < $0 && $0 <= 40_000 } ?? false, "\(gets.map { $0.header("Range") })")
        XCTAssertEqual(try FileDigest.sha256(ofFile: resolved.url.appendingPathComponent("model.safetensors")), sha)
    }

    /// The `.incomplete` file an interrupted run left behind is continued, not restarted.
    func testInterruptedRunContinuesItsIncompleteFile() async throws {
        let sha = try HubFixtures.recordedSHA256("fixtures/deberta-v3-tiny/model.safetensors")
        let blobs = repositoryFolder("test-org/deberta-v3-tiny").appendingPathComponent("blobs")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        let bytes = try HubFixtures.tinyFiles()["model.safetensors"]!
        try bytes.prefix(50_000).write(to: blobs.appendingPathComponent("\(sha).incomplete"))
        let resolved = try await resolver.resolve("test-org/deberta-v3-tiny")
        XCTAssertEqual(storageGets(sha).map { $0.header("Range") }, ["bytes=50000-"])
        XCTAssertEqual(try Data(contentsOf: resolved.url.appendingPathComponent("model.safetensors")), bytes)
        XCTAssertFalse(FileManager.default.fileExists(atPath: blobs.appendingPathComponent("\(sha).incomplete").path))
    }

    /// Bytes that do not hash to the announced SHA-256 are refused: an error naming the model and the
    /// file, no blob, no `.incomplete`, no snapshot entry; the next run downloads it afresh.
    func testCorruptedFileIsRefusedAndLeavesNothingReachable() async throws {
        let sha = try HubFixtures.recordedSHA256("fixtures/deberta-v3-tiny/model.safetensors")
        server.corrupt("model.safetensors")
        do {
            _ = try await resolver.resolve("test-org/deberta-v3-tiny")
            XCTFail("a corrupted file was accepted")
        } catch let error as HubError {
            guard case let .checksumMismatch(model, file, expected, actual) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(model, "test-org/deberta-v3-tiny")
            XCTAssertEqual(file, "model.safetensors")
            XCTAssertEqual(expected, sha)
            XCTAssertNotEqual(actual, sha)
            XCTAssertTrue(error.description.contains("Run again"), error.description)
        }
        let repo = repositoryFolder("test-org/deberta-v3-tiny")
        XCTAssertFalse(listing(repo).contains { $0.contains(sha) || $0.hasSuffix("model.safetensors") }, "\(listing(repo))")

        let fresh = HubTestServer()
        fresh.add("test-org/deberta-v3-tiny", files: try HubFixtures.tinyFiles(), commit: HubFixtures.tinyCommit)
        try await fresh.start()
        var c = configuration()
        c.endpoint = fresh.endpoint
        let resolved = try await ModelResolver(configuration: c).resolve("test-org/deberta-v3-tiny")
        await fresh.stop()
        XCTAssertEqual(try FileDigest.sha256(ofFile: resolved.url.appendingPathComponent("model.safetensors")), sha)
    }

    /// A gated repository: without a token 401, with a token lacking access 403, each a clear error
    /// naming the model and HF_TOKEN; with the right token the files come, and the token goes to the
    /// hub only, never to the storage host (which refuses it).
    func testGatedRepositoryNeedsItsToken() async throws {
        for (token, status) in [(nil, 401), ("hf_wrong", 403)] as [(String?, Int)] {
            do {
                _ = try await ModelResolver(configuration: configuration(token: token)).resolve("test-org/gated-tiny")
                XCTFail("a gated repository was read without access")
            } catch let error as HubError {
                XCTAssertEqual(error, .accessDenied(repository: "test-org/gated-tiny", status: status, gated: true, tokenSent: token != nil))
                XCTAssertTrue(error.description.contains("test-org/gated-tiny") && error.description.contains("HF_TOKEN"), error.description)
            }
        }
        server.clearLog()
        let resolved = try await ModelResolver(configuration: configuration(token: HubFixtures.gatedToken)).resolve("test-org/gated-tiny")
        XCTAssertTrue(FileManager.default.fileExists(atPath: resolved.url.appendingPathComponent("model.safetensors").path))
        let hubRequests = server.requests.filter { !$0.path.hasPrefix("/cdn/") }
        let storageRequests = server.requests.filter { $0.path.hasPrefix("/cdn/") }
        XCTAssertFalse(storageRequests.isEmpty)
        XCTAssertTrue(hubRequests.allSatisfy { $0.header("Authorization") == "Bearer \(HubFixtures.gatedToken)" })
        XCTAssertTrue(storageRequests.allSatisfy { $0.header("Authorization") == nil })
    }

    /// Offline: an empty cache is a clear error and no request; a filled one is used with no request.
    func testOfflineUsesOnlyTheCache() async throws {
        let offline = ModelResolver(configuration: configuration(offline: true))
        do {
            _ = try await offline.resolve("test-org/deberta-v3-tiny")
            XCTFail("offline without a cache")
        } catch let error as HubError {
            guard case .offlineNotCached(let model, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(model, "test-org/deberta-v3-tiny")
            XCTAssertTrue(error.description.contains("HF_HUB_OFFLINE"), error.description)
        }
        XCTAssertEqual(server.requests.count, 0)
        let online = try await resolver.resolve("test-org/deberta-v3-tiny")
        server.clearLog()
        let cached = try await offline.resolve("test-org/deberta-v3-tiny")
        XCTAssertEqual(cached.url, online.url)
        XCTAssertEqual(cached.source, .cache)
        XCTAssertEqual(server.requests.count, 0)
    }

    /// Two downloads of one model at once (two tasks, each with its own lock file descriptor) end with
    /// one correct cache: each blob fetched once, no leftovers.
    func testConcurrentDownloadsOfOneModelMakeOneCache() async throws {
        server.slowBodies(.milliseconds(5))
        let c = configuration()
        async let first = ModelResolver(configuration: c).resolve("test-org/deberta-v3-tiny")
        async let second = ModelResolver(configuration: c).resolve("test-org/deberta-v3-tiny")
        let (a, b) = try await (first, second)
        XCTAssertEqual(a.url, b.url)
        let sha = try HubFixtures.recordedSHA256("fixtures/deberta-v3-tiny/model.safetensors")
        XCTAssertEqual(storageGets(sha).count, 1, "the second waited for the first's lock, then used its blob")
        XCTAssertEqual(try FileDigest.sha256(ofFile: a.url.appendingPathComponent("model.safetensors")), sha)
        let blobs = listing(repositoryFolder("test-org/deberta-v3-tiny").appendingPathComponent("blobs"))
        XCTAssertEqual(blobs.count, 6)
        XCTAssertFalse(blobs.contains { $0.contains(".incomplete") })
    }

    /// A sharded checkpoint: the index and every shard it names come, and the model loads from them
    /// as from the single file.
    func testShardedCheckpointDownloadsEveryShard() async throws {
        let tensors = try SafeTensors.read(from: References.url("fixtures/deberta-v3-tiny/model.safetensors")).tensors
        let names = tensors.keys.sorted()
        let scratch = try makeTemporaryDirectory(prefix: "shards")
        var files = ["config.json": try HubFixtures.tinyFiles()["config.json"]!]
        var weightMap: [String: String] = [:]
        for (k, part) in [names.prefix(names.count / 2), names.dropFirst(names.count / 2)].enumerated() {
            let shard = "model-0000\(k + 1)-of-00002.safetensors"
            try SafeTensors.write(tensors.filter { part.contains($0.key) }, metadata: ["format": "pt"], to: scratch.appendingPathComponent(shard))
            files[shard] = try Data(contentsOf: scratch.appendingPathComponent(shard))
            for name in part { weightMap[name] = shard }
        }
        files["model.safetensors.index.json"] = try JSONSerialization.data(withJSONObject: ["metadata": ["total_size": 0], "weight_map": weightMap])
        server.add("test-org/sharded-tiny", files: files, commit: HubFixtures.gatedCommit)

        let (sharded, _) = try await DeBERTaModel.load(pretrained: "test-org/sharded-tiny", hub: configuration())
        let snapshot = repositoryFolder("test-org/sharded-tiny").appendingPathComponent("snapshots/\(HubFixtures.gatedCommit)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: snapshot.path).sorted(),
                       ["config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json"])
        let (direct, _) = try DeBERTaModel.load(from: References.fixture("deberta-v3-tiny"))
        let input = ModelInput(inputIds: IndexTensor([1, 9, 8, 7, 2], shape: [1, 5]))
        XCTAssertEqual(try sharded.encode(input).last!.scalars, try direct.encode(input).last!.scalars)
    }

    /// 503 answers are retried with backoff.
    func testServerErrorsAreRetried() async throws {
        server.failNext(2)
        let resolved = try await resolver.resolve("test-org/deberta-v3-tiny")
        XCTAssertEqual(resolved.source, .download)
        XCTAssertEqual(server.requests.prefix(3).map(\.path), Array(repeating: "/api/models/test-org/deberta-v3-tiny/revision/main", count: 3))
    }

    /// A hub without the listing route (a mirror that serves files): files are found by HEAD requests.
    func testWithoutTheListingRouteFilesAreProbed() async throws {
        server.disableListing()
        let resolved = try await resolver.resolve("test-org/deberta-v3-tiny")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: resolved.url.path).sorted(),
                       ["added_tokens.json", "config.json", "model.safetensors", "special_tokens_map.json", "spm.model", "tokenizer_config.json"])
    }
}

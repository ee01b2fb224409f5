import DeBERTa
import DeBERTaTestSupport
import Foundation
import XCTest

/// The repositories the test hub serves, made of files the repository carries.
enum HubFixtures {
    static let tinyCommit = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c"
    static let sst2Commit = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
    static let gatedCommit = "0123456789abcdef0123456789abcdef01234567"
    static let gatedToken = "hf_test_token_for_the_gated_fixture"

    /// `microsoft/deberta-v3-tiny`'s stand-in: the `deberta-v3-tiny` fixture (config.json, both weight
    /// formats) with the v3-style tokenizer files and the files a hub repository has besides.
    static func tinyFiles() throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in ["config.json", "model.safetensors", "pytorch_model.bin"] {
            files[name] = try Data(contentsOf: References.url("fixtures/deberta-v3-tiny/\(name)"))
        }
        for name in ["spm.model", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"] {
            files[name] = try Data(contentsOf: References.url("data/tokenizers/deberta-v3-style/\(name)"))
        }
        files["README.md"] = Data("---\nlicense: mit\n---\n# deberta-v3-tiny\n".utf8)
        files[".gitattributes"] = Data("*.safetensors filter=lfs diff=lfs merge=lfs -text\n".utf8)
        return files
    }

    /// The bundled SST-2 classifier (`Examples/deberta-v3-h256-sst2`), every file.
    static func sst2Files() throws -> [String: Data] {
        let folder = try References.packageFile("Examples/deberta-v3-h256-sst2")
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }

    /// The sha256 `Tests/References/SOURCES.md` records for a reference file.
    static func recordedSHA256(_ relativePath: String) throws -> String {
        let text = try String(contentsOf: References.url("SOURCES.md"), encoding: .utf8)
        for line in text.split(separator: "\n") where line.hasPrefix("| \(relativePath) |") {
            if let sha = line.split(separator: "|").map({ $0.trimmingCharacters(in: .whitespaces) }).last(where: { $0.count == 64 }) { return sha }
        }
        throw MissingPrerequisite("SOURCES.md records no sha256 for \(relativePath)")
    }
}

/// A test case with a hub on 127.0.0.1 serving `test-org/deberta-v3-tiny`, `test-org/deberta-v3-sst2`,
/// `test-org/gated-tiny` (token ``HubFixtures/gatedToken``) and `microsoft/deberta-v3-xsmall` (the tiny
/// files, for the short names), and an empty cache folder.
class HubServerTestCase: XCTestCase {
    var server: HubTestServer!
    var cacheFolder: URL!

    override func setUp() async throws {
        server = HubTestServer()
        let tiny = try HubFixtures.tinyFiles()
        server.add("test-org/deberta-v3-tiny", files: tiny, commit: HubFixtures.tinyCommit)
        server.add("test-org/gated-tiny", files: tiny, commit: HubFixtures.gatedCommit, gatedToken: HubFixtures.gatedToken)
        server.add("microsoft/deberta-v3-xsmall", files: tiny, commit: HubFixtures.tinyCommit)
        try await server.start()
        cacheFolder = try makeTemporaryDirectory(prefix: "HubCache")
    }

    override func tearDown() async throws {
        await server.stop()
    }

    /// The test hub and cache; retries come quickly.
    func configuration(token: String? = nil, offline: Bool = false) -> HubConfiguration {
        var c = HubConfiguration(endpoint: server.endpoint, cacheDirectory: cacheFolder, token: token, offline: offline)
        c.retryDelay = 0.01
        c.maxRetries = 3
        return c
    }

    var resolver: ModelResolver { ModelResolver(configuration: configuration()) }

    func repositoryFolder(_ repository: String) -> URL {
        cacheFolder.appendingPathComponent("models--" + repository.replacingOccurrences(of: "/", with: "--"))
    }

    /// Every file under `folder`, relative, sorted (symbolic links as links).
    func listing(_ folder: URL) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        return (e.allObjects as? [String] ?? []).sorted()
    }

    /// Requests of the storage host for a blob.
    func storageGets(_ sha: String) -> [HubTestServer.LoggedRequest] {
        server.requests.filter { $0.method == "GET" && $0.path.hasPrefix("/cdn/\(sha)") }
    }
}

import DeBERTa
import DeBERTaTestSupport
import Foundation
import XCTest

/// Names, the environment, the digest, the original's download folder: no server needed.
final class ModelNameTests: XCTestCase {
    /// The original's `pretrained_models` keys, with and without the `deberta-` prefix, map to
    /// `microsoft/<name>` as `cache_utils.py` does.
    func testShortNamesMapAsTheOriginalDoes() throws {
        let expected: [String: String] = [
            "base": "deberta-base", "large": "deberta-large", "xlarge": "deberta-xlarge",
            "base-mnli": "deberta-base-mnli", "large-mnli": "deberta-large-mnli", "xlarge-mnli": "deberta-xlarge-mnli",
            "xlarge-v2": "deberta-v2-xlarge", "xxlarge-v2": "deberta-v2-xxlarge",
            "xlarge-v2-mnli": "deberta-v2-xlarge-mnli", "xxlarge-v2-mnli": "deberta-v2-xxlarge-mnli",
            "deberta-v3-xsmall": "deberta-v3-xsmall", "deberta-v3-small": "deberta-v3-small",
            "deberta-v3-base": "deberta-v3-base", "deberta-v3-large": "deberta-v3-large", "mdeberta-v3-base": "mdeberta-v3-base",
            // The other spelling of each.
            "deberta-base": "deberta-base", "deberta-large-mnli": "deberta-large-mnli", "deberta-xlarge-v2": "deberta-v2-xlarge",
            "v3-base": "deberta-v3-base", "v3-xsmall": "deberta-v3-xsmall", "DeBERTa-V3-Large": "deberta-v3-large",
            "deberta-v2-xxlarge-mnli": "deberta-v2-xxlarge-mnli",
        ]
        for (name, repository) in expected {
            XCTAssertEqual(try ModelName.parse(name), .hub(HubReference(repository: "microsoft/" + repository, originalAssetName: repository)), name)
        }
    }

    func testPathsComeFirstThenHubIds() throws {
        let folder = try makeTemporaryDirectory(prefix: "v3-base")
        let named = folder.appendingPathComponent("base")
        try FileManager.default.createDirectory(at: named, withIntermediateDirectories: true)
        for name in ["base", named.path] {
            guard case .path(let url) = try ModelName.parse(name, currentDirectory: folder) else { return XCTFail("\(name): a folder named like a short name is the folder") }
            XCTAssertEqual(url.path, named.path)
        }
        XCTAssertEqual(try ModelName.parse("microsoft/deberta-v3-base"), .hub(HubReference(repository: "microsoft/deberta-v3-base")))
        XCTAssertEqual(try ModelName.parse("org/model.v2@refs/pr/1"), .hub(HubReference(repository: "org/model.v2", revision: "refs/pr/1")))
        let commit = String(repeating: "ab", count: 20)
        guard case .hub(let pinned) = try ModelName.parse("org/model@" + commit) else { return XCTFail() }
        XCTAssertTrue(pinned.revisionIsCommit)
        XCTAssertEqual(pinned.description, "org/model@" + commit)
        XCTAssertThrowsError(try ModelName.parse("org/model@"))
    }

    /// huggingface_hub's variables and defaults.
    func testConfigurationFromTheEnvironment() throws {
        let home = try makeTemporaryDirectory(prefix: "home")
        var c = HubConfiguration.environment(["HOME": home.path])
        XCTAssertEqual(c.cacheDirectory.path, home.path + "/.cache/huggingface/hub")
        XCTAssertEqual(c.endpoint.absoluteString, "https://huggingface.co")
        XCTAssertNil(c.token)
        XCTAssertFalse(c.offline)
        XCTAssertEqual(c.originalAssetsDirectory?.path, home.path + "/.~DeBERTa/assets/latest")

        c = HubConfiguration.environment(["HOME": home.path, "XDG_CACHE_HOME": "/x"])
        XCTAssertEqual(c.cacheDirectory.path, "/x/huggingface/hub")
        let hfHome = home.appendingPathComponent("hf")
        try FileManager.default.createDirectory(at: hfHome, withIntermediateDirectories: true)
        try Data("hf_from_file\n".utf8).write(to: hfHome.appendingPathComponent("token"))
        c = HubConfiguration.environment(["HOME": home.path, "HF_HOME": hfHome.path, "HF_ENDPOINT": "http://mirror.test/", "TRANSFORMERS_OFFLINE": "1"])
        XCTAssertEqual(c.cacheDirectory.path, hfHome.path + "/hub")
        XCTAssertEqual(c.token, "hf_from_file")
        XCTAssertEqual(c.endpoint.absoluteString, "http://mirror.test")
        XCTAssertTrue(c.offline)
        c = HubConfiguration.environment(["HOME": home.path, "HF_HOME": hfHome.path, "HF_HUB_CACHE": "~/elsewhere", "HF_TOKEN": "hf_env", "HF_HUB_OFFLINE": "0"])
        XCTAssertEqual(c.cacheDirectory.path, home.path + "/elsewhere")
        XCTAssertEqual(c.token, "hf_env")
        XCTAssertFalse(c.offline)
    }

    /// FIPS 180-4 vectors (empty, one block, two blocks, a million bytes) and the reference files'
    /// recorded digests.
    func testSHA256() throws {
        XCTAssertEqual(FileDigest.sha256(of: Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(FileDigest.sha256(of: Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(FileDigest.sha256(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(FileDigest.sha256(of: Data(repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        for name in ["config.json", "model.safetensors"] {
            XCTAssertEqual(try FileDigest.sha256(ofFile: References.url("fixtures/deberta-v3-tiny/\(name)")),
                           try HubFixtures.recordedSHA256("fixtures/deberta-v3-tiny/\(name)"))
        }
    }

    /// The original code's download folder (`~/.~DeBERTa/assets/latest/<name>`: pytorch_model.bin,
    /// model_config.json, spm.model) serves its short names with no request; the hub here does not exist.
    func testOriginalAssetsFolderServesShortNames() async throws {
        let assets = try makeTemporaryDirectory(prefix: "assets")
        let folder = assets.appendingPathComponent("deberta-v3-base")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: References.url("fixtures/deberta-v3-tiny/pytorch_model.bin"), to: folder.appendingPathComponent("pytorch_model.bin"))
        try FileManager.default.copyItem(at: References.url("fixtures/deberta-v3-tiny/config.json"), to: folder.appendingPathComponent("model_config.json"))
        try FileManager.default.copyItem(at: References.url("data/tokenizers/deberta-v3-style/spm.model"), to: folder.appendingPathComponent("spm.model"))
        var c = HubConfiguration(endpoint: URL(string: "http://127.0.0.1:9")!, cacheDirectory: try makeTemporaryDirectory(prefix: "cache"),
                                 originalAssetsDirectory: assets)
        c.maxRetries = 0
        let resolved = try await ModelResolver(configuration: c).resolve("v3-base", files: [.model, .tokenizer])
        XCTAssertEqual(resolved.source, .originalAssets)
        XCTAssertEqual(resolved.url.path, folder.path)
        let (model, _) = try await DeBERTaModel.load(pretrained: "deberta-v3-base", hub: c)
        XCTAssertEqual(model.configuration.hiddenSize, 32)
    }
}

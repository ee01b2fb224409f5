import Foundation

/// Where models come from and go: the hub's address, huggingface_hub's cache folder, the token,
/// offline mode. ``environment(_:)`` reads them as huggingface_hub does, so that both share one
/// cache and one login.
public struct HubConfiguration: Sendable {
    /// The hub: `$HF_ENDPOINT`, else `https://huggingface.co`.
    public var endpoint: URL
    /// huggingface_hub's cache (`models--org--name/{blobs,refs,snapshots}`): `$HF_HUB_CACHE`, else
    /// `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else
    /// `~/.cache/huggingface/hub`.
    public var cacheDirectory: URL
    /// Sent as `Authorization: Bearer …` to the hub (never to the storage host a download is
    /// redirected to): `$HF_TOKEN`, else `$HUGGING_FACE_HUB_TOKEN`, else the file `$HF_TOKEN_PATH`
    /// or `$HF_HOME/token` that `hf auth login` writes.
    public var token: String?
    /// `HF_HUB_OFFLINE=1` (or `TRANSFORMERS_OFFLINE=1`): use the cache only, never the network.
    public var offline: Bool
    /// The original DeBERTa code's download folder, `~/.~DeBERTa/assets/latest`, read (never
    /// written) for its short names (`base`, `deberta-v3-base`, …).
    public var originalAssetsDirectory: URL?
    /// Whether to draw a progress line per file on standard error (default: when it is a terminal).
    public var showsProgress: Bool
    /// How often a request or a download is tried again after a connection error or a 429/5xx answer.
    public var maxRetries: Int = 5
    /// Seconds before the first retry; each further retry waits twice as long (at most 8 s).
    public var retryDelay: Double = 1
    /// Seconds to wait for a connection, and for each piece of an answer.
    public var connectTimeout: Double = 10
    public var readTimeout: Double = 60

    /// A configuration with every field given.
    public init(endpoint: URL, cacheDirectory: URL, token: String? = nil, offline: Bool = false,
                originalAssetsDirectory: URL? = nil, showsProgress: Bool = false) {
        self.endpoint = endpoint
        self.cacheDirectory = cacheDirectory
        self.token = token
        self.offline = offline
        self.originalAssetsDirectory = originalAssetsDirectory
        self.showsProgress = showsProgress
    }

    /// The configuration the environment describes, with huggingface_hub's variables and defaults
    /// (see each property).
    public static func environment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> HubConfiguration {
        let env = environment.filter { !$0.value.isEmpty }
        let home = URL(fileURLWithPath: env["HOME"] ?? NSHomeDirectory())
        func path(_ value: String) -> URL {
            URL(fileURLWithPath: value.hasPrefix("~/") ? home.path + value.dropFirst() : value)
        }
        let hfHome = env["HF_HOME"].map(path)
            ?? (env["XDG_CACHE_HOME"].map(path) ?? home.appendingPathComponent(".cache")).appendingPathComponent("huggingface")
        let cache = (env["HF_HUB_CACHE"] ?? env["HUGGINGFACE_HUB_CACHE"]).map(path) ?? hfHome.appendingPathComponent("hub")
        var endpointText = env["HF_ENDPOINT"] ?? "https://huggingface.co"
        while endpointText.hasSuffix("/") { endpointText.removeLast() }
        let endpoint = URL(string: endpointText) ?? URL(string: "https://huggingface.co")!

        var token = env["HF_TOKEN"] ?? env["HUGGING_FACE_HUB_TOKEN"]
        if token == nil {
            let tokenFile = env["HF_TOKEN_PATH"].map(path) ?? hfHome.appendingPathComponent("token")
            token = (try? String(contentsOf: tokenFile, encoding: .utf8))
        }
        token = token?.trimmingCharacters(in: .whitespacesAndNewlines)
        if token?.isEmpty == true { token = nil }

        let truthy: Set<String> = ["1", "on", "yes", "true"]
        let offline = [env["HF_HUB_OFFLINE"], env["TRANSFORMERS_OFFLINE"]].contains { truthy.contains(($0 ?? "").lowercased()) }
        return HubConfiguration(
            endpoint: endpoint, cacheDirectory: cache, token: token, offline: offline,
            originalAssetsDirectory: home.appendingPathComponent(".~DeBERTa/assets/latest"),
            showsProgress: isatty(2) == 1)
    }
}

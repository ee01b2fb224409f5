import Foundation

/// Why a model could not be found or fetched. Each message names the model and says what to do.
public enum HubError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The name is not an existing path, a hub id or a short name.
    case invalidName(String, reason: String)
    /// The hub has no such repository, or it is private and the request carried no token that may see it.
    case repositoryNotFound(repository: String, tokenSent: Bool)
    /// The repository exists but not the branch, tag or commit.
    case revisionNotFound(repository: String, revision: String)
    /// A file the model needs is not in the repository.
    case fileNotFound(repository: String, revision: String, file: String)
    /// The repository is gated or private: 401 (no token, or an invalid one) or 403 (a token without access).
    case accessDenied(repository: String, status: Int, gated: Bool, tokenSent: Bool)
    /// The repository holds no model (no `config.json`, or no weights) or no tokenizer files.
    case notAModel(repository: String, revision: String, missing: String)
    /// Offline (`HF_HUB_OFFLINE=1`), and the cache lacks the model or some of its files.
    case offlineNotCached(model: String, cache: String, missing: [String])
    /// A downloaded file's SHA-256 is not the one the hub announced; nothing was put in the cache.
    case checksumMismatch(model: String, file: String, expected: String, actual: String)
    /// A downloaded file has another size than the hub announced; nothing was put in the cache.
    case sizeMismatch(model: String, file: String, expected: Int64, actual: Int64)
    /// Not enough room in the cache's file system.
    case diskFull(model: String, file: String, folder: String, needed: Int64?, available: Int64?)
    /// The hub could not be reached (after retries).
    case network(model: String, endpoint: String, reason: String)
    /// The hub kept answering with an error (after retries for 429 and 5xx).
    case server(model: String, url: String, status: Int, message: String)
    /// A file could not be written in the cache (permissions, a read-only file system).
    case cacheUnwritable(model: String, path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidName(name, reason):
            return "model '\(name)': \(reason)"
        case let .repositoryNotFound(repository, tokenSent):
            return "model \(repository): the hub has no such repository (HTTP 404). Check the name (org/name, e.g. microsoft/deberta-v3-base); "
                + (tokenSent ? "if it is private, the token in HF_TOKEN has no access to it." : "if it is private, set HF_TOKEN to a token that may read it (or log in with `hf auth login`).")
        case let .revisionNotFound(repository, revision):
            return "model \(repository): no branch, tag or commit '\(revision)' in the repository. Use an existing one (`\(repository)@main`) or leave the revision out."
        case let .fileNotFound(repository, revision, file):
            return "model \(repository)@\(revision): the repository has no \(file). Check the file name, or use another revision."
        case let .accessDenied(repository, status, gated, tokenSent):
            let what = gated ? "is gated: its authors must grant access" : "is private"
            let todo: String
            if tokenSent {
                todo = status == 403
                    ? "the token in HF_TOKEN (or $HF_HOME/token) was refused access: request access on the repository's page with the account that owns it, or use a token with read permission."
                    : "the token in HF_TOKEN (or $HF_HOME/token) is not valid: make a new one and set HF_TOKEN to it."
            } else {
                todo = "request access on the repository's page, then set HF_TOKEN to a read token of that account (or run `hf auth login`)."
            }
            return "model \(repository) \(what) (HTTP \(status)); \(todo)"
        case let .notAModel(repository, revision, missing):
            return "model \(repository)@\(revision): the repository has no \(missing); is it a DeBERTa model? Use a repository with config.json, model.safetensors or pytorch_model.bin and its tokenizer files."
        case let .offlineNotCached(model, cache, missing):
            return "model \(model): offline (HF_HUB_OFFLINE=1), and the cache \(cache) lacks \(missing.joined(separator: ", ")). Unset HF_HUB_OFFLINE to download it, or give the path of a model folder."
        case let .checksumMismatch(model, file, expected, actual):
            return "model \(model): \(file) arrived corrupted (sha256 \(actual), the hub says \(expected)); nothing was put in the cache and the partial file was removed. Run again to download it afresh."
        case let .sizeMismatch(model, file, expected, actual):
            return "model \(model): \(file) arrived with \(actual) bytes, the hub says \(expected); nothing was put in the cache. Run again to download it afresh."
        case let .diskFull(model, file, folder, needed, available):
            let amounts = needed.map { n in " (\(formatBytes(n)) needed\(available.map { ", \(formatBytes($0)) free" } ?? ""))" } ?? ""
            return "model \(model): no room left for \(file) in \(folder)\(amounts). Free some space, or point HF_HUB_CACHE at a larger disk."
        case let .network(model, endpoint, reason):
            return "model \(model): cannot reach \(endpoint) (\(reason)). Check the network connection (or HF_ENDPOINT), or set HF_HUB_OFFLINE=1 to use only what the cache holds."
        case let .server(model, url, status, message):
            return "model \(model): the hub answered HTTP \(status) for \(url)\(message.isEmpty ? "" : " (\(message))"). Try again later."
        case let .cacheUnwritable(model, path, reason):
            return "model \(model): cannot write \(path) (\(reason)). Make the cache writable, or point HF_HUB_CACHE elsewhere."
        }
    }

    public var errorDescription: String? { description }
}

/// `1.5 MB`, `300 kB`, `12 B` (decimal units, as download tools print them).
func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"]
    var value = Double(bytes), unit = 0
    while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
    return unit == 0 ? "\(bytes) B" : String(format: value < 10 ? "%.2f %@" : value < 100 ? "%.1f %@" : "%.0f %@", value, units[unit])
}

import Foundation

/// A repository on the hub at one revision: `microsoft/deberta-v3-base` at `main`.
public struct HubReference: Hashable, Sendable, CustomStringConvertible {
    /// `org/name`.
    public var repository: String
    /// A branch, tag or commit (`main` when none was given).
    public var revision: String
    /// The original DeBERTa code's name when the reference came from one of its short names
    /// (`deberta-v3-base` for `v3-base`): its download folder `~/.~DeBERTa/assets/latest/<name>` is read too.
    public var originalAssetName: String?

    public init(repository: String, revision: String = "main", originalAssetName: String? = nil) {
        self.repository = repository
        self.revision = revision
        self.originalAssetName = originalAssetName
    }

    /// `org/name`, or `org/name@revision` for a revision other than `main`.
    public var description: String { revision == "main" ? repository : "\(repository)@\(revision)" }

    /// Whether the revision is a full commit hash: its files never change, so a cached snapshot is used without asking the hub.
    public var revisionIsCommit: Bool { Self.isCommitHash(revision) }

    static func isCommitHash(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

/// What a model name given to the command line or the library stands for.
///
/// In order: an existing file or folder (or a name spelled as a path: `/…`, `./…`, `~/…`,
/// `a/b/c`, which the loaders then report missing); a hub id `org/name` with an optional `@revision` (branch,
/// tag or commit); one of the original DeBERTa code's short names (`base`, `large`, `xlarge`,
/// `base-mnli`, `large-mnli`, `xlarge-mnli`, `xlarge-v2`, `xxlarge-v2`, `xlarge-v2-mnli`,
/// `xxlarge-v2-mnli`, `deberta-v3-xsmall`, `deberta-v3-small`, `deberta-v3-base`, `deberta-v3-large`,
/// `mdeberta-v3-base`, case-insensitive, with or without the `deberta-` prefix), which stand for
/// `microsoft/<name>` as in the original's `cache_utils.py`.
public enum ModelName: Equatable, Sendable {
    case path(URL)
    case hub(HubReference)

    /// The original's short names (`pretrained_models` in `DeBERTa/deberta/cache_utils.py`) and the
    /// `microsoft/` repository each stands for.
    public static let shortNames: [String: String] = [
        "base": "deberta-base", "large": "deberta-large", "xlarge": "deberta-xlarge",
        "base-mnli": "deberta-base-mnli", "large-mnli": "deberta-large-mnli", "xlarge-mnli": "deberta-xlarge-mnli",
        "xlarge-v2": "deberta-v2-xlarge", "xxlarge-v2": "deberta-v2-xxlarge",
        "xlarge-v2-mnli": "deberta-v2-xlarge-mnli", "xxlarge-v2-mnli": "deberta-v2-xxlarge-mnli",
        "deberta-v3-small": "deberta-v3-small", "deberta-v3-base": "deberta-v3-base", "deberta-v3-large": "deberta-v3-large",
        "mdeberta-v3-base": "mdeberta-v3-base", "deberta-v3-xsmall": "deberta-v3-xsmall",
    ]

    /// The repository name a short name stands for (`v3-base`, `deberta-base`, `deberta-v2-xlarge` → …), or nil.
    public static func repositoryName(forShortName name: String) -> String? {
        let key = name.lowercased()
        if let found = shortNames[key] { return found }
        // Without the prefix the original's keys carry (`v3-base`), or with one they lack (`deberta-base`).
        if let found = shortNames["deberta-" + key] { return found }
        if key.hasPrefix("deberta-"), let found = shortNames[String(key.dropFirst("deberta-".count))] { return found }
        // The repository's own name (`deberta-v2-xlarge`).
        if shortNames.values.contains(key) { return key }
        return nil
    }

    /// Reads `name` (see the type's documentation).
    ///
    /// - Parameter currentDirectory: where a relative path is looked for.
    /// - Throws: ``HubError/invalidName(_:reason:)`` when it is none of these.
    public static func parse(_ name: String, currentDirectory: URL? = nil) throws -> ModelName {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw HubError.invalidName(name, reason: "the name is empty") }
        let expanded = trimmed.hasPrefix("~/") ? NSHomeDirectory() + trimmed.dropFirst() : trimmed
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded)
            : currentDirectory.map { $0.appendingPathComponent(expanded).standardizedFileURL } ?? URL(fileURLWithPath: expanded)
        if FileManager.default.fileExists(atPath: url.path) { return .path(url) }
        // Spelled as a path (`/…`, `./…`, `../…`, `~/…`, or with more folders than `org/name`): the
        // loader's own message about the missing folder says more than one about hub names.
        let spelledAsPath = ["/", "./", "../", "~/"].contains { trimmed.hasPrefix($0) } || trimmed == "." || trimmed == ".."
            || trimmed.split(separator: "@", maxSplits: 1)[0].split(separator: "/", omittingEmptySubsequences: false).count > 2
        if spelledAsPath { return .path(url) }

        if trimmed.contains("/"), let at = trimmed.firstIndex(of: "@") {
            let repository = String(trimmed[..<at]), revision = String(trimmed[trimmed.index(after: at)...])
            guard isRepositoryID(repository) else { throw notFound(trimmed, url) }
            guard !revision.isEmpty else { throw HubError.invalidName(name, reason: "nothing after '@': give a branch, tag or commit (`\(repository)@main`)") }
            // The revision names a file under refs/: no climbing out of it.
            guard !revision.hasPrefix("/"), !revision.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw HubError.invalidName(name, reason: "'\(revision)' is not a branch, tag or commit name")
            }
            return .hub(HubReference(repository: repository, revision: revision))
        }
        if isRepositoryID(trimmed) && trimmed.contains("/") { return .hub(HubReference(repository: trimmed)) }
        if let repositoryName = repositoryName(forShortName: trimmed) {
            return .hub(HubReference(repository: "microsoft/" + repositoryName, originalAssetName: repositoryName))
        }
        throw notFound(trimmed, url)
    }

    private static func notFound(_ name: String, _ url: URL) -> HubError {
        .invalidName(name, reason: "no such file or folder (\(url.path)), and not a hub id `org/name[@revision]` nor one of the original's short names (\(shortNames.keys.sorted().joined(separator: ", ")))")
    }

    /// huggingface_hub's rule for repository ids: `org/name`, letters, digits, `-`, `_`, `.`, at most
    /// 96 characters a part, no `--` or `..`, not starting or ending with `-` or `.`.
    static func isRepositoryID(_ id: String) -> Bool {
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !id.contains("--"), !id.contains("..") else { return false }
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.count <= 96, let first = part.first, let last = part.last,
                  !"-.".contains(first), !"-.".contains(last) else { return false }
            return part.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }
        }
    }
}

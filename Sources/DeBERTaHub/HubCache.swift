import Foundation

/// huggingface_hub's cache folder, in its layout, so that either program reads what the other wrote:
///
/// ```
/// <cache>/models--microsoft--deberta-v3-base/
///     blobs/<etag>                   the files' bytes, named by ETag (the SHA-256 for LFS files)
///     refs/main                      the commit `main` pointed to (the hub's X-Repo-Commit)
///     snapshots/<commit>/spm.model   -> ../../blobs/<etag>   (relative symbolic links)
/// <cache>/.locks/models--microsoft--deberta-v3-base/<etag>.lock
/// ```
public struct HubCache: Sendable {
    /// The cache folder (`HubConfiguration.cacheDirectory`).
    public let root: URL

    public init(root: URL) { self.root = root }

    /// `models--org--name`: the repository's folder name (huggingface_hub's `repo_folder_name`).
    public static func folderName(repository: String) -> String {
        (["models"] + repository.split(separator: "/").map(String.init)).joined(separator: "--")
    }

    public func repositoryFolder(_ repository: String) -> URL { root.appendingPathComponent(Self.folderName(repository: repository)) }
    public func snapshot(_ repository: String, commit: String) -> URL {
        // Always spelled as a folder, so that the URL is the same whether or not the folder exists yet.
        repositoryFolder(repository).appendingPathComponent("snapshots").appendingPathComponent(commit, isDirectory: true)
    }
    public func blob(_ repository: String, etag: String) -> URL {
        repositoryFolder(repository).appendingPathComponent("blobs").appendingPathComponent(etag)
    }
    func lockFile(_ repository: String, etag: String) -> URL {
        root.appendingPathComponent(".locks").appendingPathComponent(Self.folderName(repository: repository)).appendingPathComponent(etag + ".lock")
    }
    func refFile(_ repository: String, revision: String) -> URL {
        repositoryFolder(repository).appendingPathComponent("refs").appendingPathComponent(revision)
    }

    /// The commit `revision` stands for in the cache: the revision itself when it is a commit hash,
    /// else the content of `refs/<revision>`, else nil.
    public func commit(_ repository: String, revision: String) -> String? {
        if HubReference.isCommitHash(revision) { return revision }
        guard let text = try? String(contentsOf: refFile(repository, revision: revision), encoding: .utf8) else { return nil }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return commit.isEmpty ? nil : commit
    }

    /// Records that `revision` points to `commit` (`refs/<revision>`), written whole or not at all,
    /// and only when it changed: a cache shared read-only still works.
    func setRef(_ repository: String, revision: String, commit: String) throws {
        guard revision != commit else { return }
        let file = refFile(repository, revision: revision)
        if self.commit(repository, revision: revision) == commit { return }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
        try Data(commit.utf8).write(to: temporary)
        guard rename(temporary.path, file.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: reason])
        }
    }

    /// Links `snapshots/<commit>/<file>` to `blobs/<etag>` by a relative path, as huggingface_hub does,
    /// so that the cache can be moved whole.
    func link(_ repository: String, commit: String, file: String, etag: String) throws {
        let pointer = snapshot(repository, commit: commit).appendingPathComponent(file)
        try FileManager.default.createDirectory(at: pointer.deletingLastPathComponent(), withIntermediateDirectories: true)
        // From snapshots/<commit>/<dirs…>/ up to the repository folder: two levels plus one per folder in the name.
        let depth = 2 + file.split(separator: "/").count - 1
        let target = String(repeating: "../", count: depth) + "blobs/" + etag
        if let existing = try? FileManager.default.destinationOfSymbolicLink(atPath: pointer.path) {
            if existing == target { return }
            try FileManager.default.removeItem(at: pointer)
        }
        if symlink(target, pointer.path) != 0 && errno != EEXIST {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
    }

    /// Writes `CACHEDIR.TAG` (the cache directory tagging standard, huggingface_hub's text) when absent,
    /// so that backup tools skip the cache.
    func tag() {
        let file = root.appendingPathComponent("CACHEDIR.TAG")
        guard !FileManager.default.fileExists(atPath: file.path) else { return }
        let text = "Signature: 8a477f597d28d172789f06886806bc55\n"
            + "# This file is a cache directory tag created by huggingface_hub.\n"
            + "# For information about cache directory tags, see:\n"
            + "#\thttps://bford.info/cachedir/\n"
        try? Data(text.utf8).write(to: file)
    }
}

import Foundation

/// Where a model name led.
public struct ResolvedModel: Sendable, Equatable {
    /// Where the files came from.
    public enum Source: String, Sendable {
        /// A folder or file given by its path.
        case local
        /// The original DeBERTa code's download folder (`~/.~DeBERTa/assets/latest/<name>`).
        case originalAssets
        /// huggingface_hub's cache, without a download.
        case cache
        /// huggingface_hub's cache, after downloading some or all of the files.
        case download
    }

    /// The model folder (a snapshot folder of the cache), or the file given by its path.
    public var url: URL
    public var source: Source
    /// The hub repository and the commit of its snapshot, for names that are not paths.
    public var repository: String?
    public var commit: String?

    /// The model folder: ``url`` itself, or the folder of a file given by its path.
    public var folder: URL {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            ? url.deletingLastPathComponent() : url
    }
}

/// Turns a model name into a local folder: the one place every command and the library resolve
/// names, so that they all accept the same ones.
///
/// A name is, in order (``ModelName``): an existing file or folder; a hub id `org/name[@revision]`;
/// one of the original DeBERTa code's short names (`v3-base`, `deberta-v3-base`, `base-mnli`, …),
/// standing for `microsoft/<name>`. Hub models are read from huggingface_hub's cache, in its layout
/// (``HubCache``), and the missing files downloaded into it:
///
/// - a snapshot with the files is used without a request when the revision is a commit or when
///   offline (`HF_HUB_OFFLINE=1`); for a branch or tag, one request asks the hub for its commit;
/// - files come from `$HF_ENDPOINT` (`https://huggingface.co`), with `HF_TOKEN` for gated and private
///   repositories; an interrupted file continues where it stopped; LFS files are checked against
///   their SHA-256 before they enter the cache; a lock file keeps two processes from writing one file;
/// - when the hub cannot be reached or refuses, a complete cached snapshot of the revision is used.
///
/// ```swift
/// let folder = try await ModelResolver().resolve("microsoft/deberta-v3-base").url
/// ```
public struct ModelResolver: Sendable {
    public var configuration: HubConfiguration

    /// A resolver with the given configuration (by default: the environment, as huggingface_hub reads it).
    public init(configuration: HubConfiguration = .environment()) {
        self.configuration = configuration
    }

    /// The folder (or file) `name` stands for, with the files `files` asks for present.
    ///
    /// - Parameters:
    ///   - name: a path, `org/name[@revision]`, or a short name (see the type's documentation).
    ///   - files: what the caller reads: ``HubFiles/model`` (configuration, weights and the tokenizer
    ///     files the repository has), ``HubFiles/tokenizer`` only, or ``HubFiles/configuration`` only.
    /// - Throws: ``HubError``, naming the model and what to do.
    public func resolve(_ name: String, files: HubFiles = .model) async throws -> ResolvedModel {
        switch try ModelName.parse(name) {
        case .path(let url): return ResolvedModel(url: url, source: .local)
        case .hub(let reference): return try await resolve(reference, files: files)
        }
    }

    /// ``resolve(_:files:)`` for code that cannot `await` (the command-line tool's commands): waits
    /// on the calling thread, which must not be one of Swift concurrency's own.
    public func resolveSynchronously(_ name: String, files: HubFiles = .model) throws -> ResolvedModel {
        // Paths need no task and no HTTP client.
        if case .path(let url) = try ModelName.parse(name) { return ResolvedModel(url: url, source: .local) }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.result = .success(try await self.resolve(name, files: files)) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    /// The snapshot of `reference` with `files` present (see ``resolve(_:files:)``).
    public func resolve(_ reference: HubReference, files: HubFiles = .model) async throws -> ResolvedModel {
        let fm = FileManager.default
        // The original code's own download folder, which it fills for its short names and never refreshes.
        if let asset = reference.originalAssetName, let assets = configuration.originalAssetsDirectory?.appendingPathComponent(asset),
           fm.fileExists(atPath: assets.path), files.missing(in: assets).isEmpty {
            return ResolvedModel(url: assets, source: .originalAssets, repository: reference.repository)
        }

        let cache = HubCache(root: configuration.cacheDirectory)
        let cachedCommit = cache.commit(reference.repository, revision: reference.revision)
        let cached: ResolvedModel? = cachedCommit.flatMap { commit in
            let folder = cache.snapshot(reference.repository, commit: commit)
            return files.missing(in: folder).isEmpty
                ? ResolvedModel(url: folder, source: .cache, repository: reference.repository, commit: commit) : nil
        }
        // A commit's files never change, and offline there is nobody to ask.
        if let cached, reference.revisionIsCommit || configuration.offline { return cached }
        if configuration.offline {
            let missing = cachedCommit.map { files.missing(in: cache.snapshot(reference.repository, commit: $0)) }
                ?? ["any snapshot of \(reference.revision)"]
            throw HubError.offlineNotCached(model: reference.description, cache: cache.repositoryFolder(reference.repository).path, missing: missing)
        }

        let session = HubSession(configuration: configuration, reference: reference)
        do {
            let resolved = try await download(reference, files: files, cache: cache, session: session)
            await session.shutdown()
            return resolved
        } catch let error as HubError {
            await session.shutdown()
            // As huggingface_hub: without the network, or refused, a complete snapshot of the revision still serves.
            switch error {
            case .network, .server, .accessDenied: if let cached { return cached }
            default: break
            }
            throw error
        } catch {
            await session.shutdown()
            throw error
        }
    }

    private func download(_ reference: HubReference, files: HubFiles, cache: HubCache, session: HubSession) async throws -> ResolvedModel {
        let repository = reference.repository
        var known: [String: RemoteFile] = [:]
        let commit: String
        var selected: [String]
        if let listing = try await session.listing() {
            commit = listing.commit
            selected = try files.select(from: listing.files, repository: repository, revision: reference.revision)
        } else {
            // No listing route: ask for each candidate file; the first answer gives the commit.
            var candidates: [String] = []
            if files.contains(.configuration) { candidates.append("config.json") }
            if files.contains(.model) { candidates += HubFiles.weightFiles }
            if files.contains(.model) || files.contains(.tokenizer) { candidates += HubFiles.tokenizerVocabularyFiles + HubFiles.tokenizerMetadataFiles }
            var revision = reference.revision
            var firstCommit: String?
            for name in candidates {
                if let remote = try await session.metadata(name, revision: revision) {
                    known[name] = remote
                    if firstCommit == nil { firstCommit = remote.commit; revision = remote.commit }
                }
            }
            guard let found = firstCommit else {
                throw HubError.notAModel(repository: repository, revision: reference.revision, missing: candidates.joined(separator: ", "))
            }
            commit = found
            selected = try files.select(from: Set(known.keys), repository: repository, revision: reference.revision)
        }

        do {
            try cache.setRef(repository, revision: reference.revision, commit: commit)
        } catch {
            throw HubError.cacheUnwritable(model: reference.description, path: cache.repositoryFolder(repository).path, reason: error.localizedDescription)
        }
        cache.tag()
        let snapshot = cache.snapshot(repository, commit: commit)
        var downloaded = false
        while !selected.isEmpty {
            let name = selected.removeFirst()
            if try await fetch(name, commit: commit, known: known[name], cache: cache, session: session) { downloaded = true }
            if name.hasSuffix(".index.json") {
                do {
                    selected += try HubFiles.shards(index: snapshot.appendingPathComponent(name))
                } catch {
                    throw HubError.notAModel(repository: repository, revision: reference.revision, missing: "usable \(name) (\(error.localizedDescription))")
                }
            }
        }
        return ResolvedModel(url: snapshot, source: downloaded ? .download : .cache, repository: repository, commit: commit)
    }

    /// Puts `snapshots/<commit>/<name>` in place: nothing when it is there, a link when its blob is
    /// (another revision has the same bytes), else a download. Returns whether bytes were downloaded.
    private func fetch(_ name: String, commit: String, known: RemoteFile?, cache: HubCache, session: HubSession) async throws -> Bool {
        let reference = session.reference
        let pointer = cache.snapshot(reference.repository, commit: commit).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: pointer.path) { return false }
        let remote: RemoteFile
        if let known, known.commit == commit { remote = known } else {
            guard let found = try await session.metadata(name, revision: commit) else {
                throw HubError.fileNotFound(repository: reference.repository, revision: reference.revision, file: name)
            }
            remote = found
        }
        let blob = cache.blob(reference.repository, etag: remote.etag)
        var downloaded = false
        do {
            let lock = try await FileLock.acquire(cache.lockFile(reference.repository, etag: remote.etag))
            defer { lock.release() }
            if !FileManager.default.fileExists(atPath: blob.path) {
                try FileManager.default.createDirectory(at: blob.deletingLastPathComponent(), withIntermediateDirectories: true)
                let incomplete = blob.deletingLastPathComponent().appendingPathComponent(remote.etag + ".incomplete")
                try await session.download(remote, to: incomplete)
                guard rename(incomplete.path, blob.path) == 0 else {
                    throw HubError.cacheUnwritable(model: reference.description, path: blob.path, reason: String(cString: strerror(errno)))
                }
                downloaded = true
            }
            try cache.link(reference.repository, commit: commit, file: name, etag: remote.etag)
        } catch let error as HubError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw HubError.cacheUnwritable(model: reference.description, path: pointer.path, reason: error.localizedDescription)
        }
        return downloaded
    }
}

private final class ResultBox: @unchecked Sendable {
    var result: Result<ResolvedModel, Error>?
}

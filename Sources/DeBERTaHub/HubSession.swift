import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let posixWrite = Glibc.write
private let posixTruncate = Glibc.truncate
#elseif canImport(Darwin)
private let posixWrite = Darwin.write
private let posixTruncate = Darwin.truncate
#endif

/// A file as the hub describes it (`HEAD /{repo}/resolve/{revision}/{file}`).
struct RemoteFile: Sendable {
    var name: String
    /// `X-Linked-Etag` (LFS files: the SHA-256 of the bytes), else `ETag` (the git blob id), unquoted.
    var etag: String
    /// `X-Linked-Size`, else `Content-Length` of a response that is not a redirect.
    var size: Int64?
    /// Where the bytes are: the storage host the hub redirects LFS files to, else the resolve URL.
    var location: URL
    /// `X-Repo-Commit`.
    var commit: String

    /// The SHA-256 the bytes must have, when the ETag is one (LFS files).
    var sha256: String? {
        etag.utf8.count == 64 && etag.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } ? etag : nil
    }
}

/// The requests of one resolution: the hub's listing and resolve routes, with retries, redirects,
/// the token, and downloads that resume.
final class HubSession: @unchecked Sendable {
    let configuration: HubConfiguration
    let reference: HubReference
    private let client: HTTPClient

    init(configuration: HubConfiguration, reference: HubReference) {
        self.configuration = configuration
        self.reference = reference
        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,  // followed by hand: the hub's own headers ride on its redirects
            timeout: .init(connect: .milliseconds(Int64(configuration.connectTimeout * 1000)),
                           read: .milliseconds(Int64(configuration.readTimeout * 1000))))
        http.decompression = .disabled
        // A refused connection fails the request at once (else the client retries it until the
        // request's deadline); retries are ours, with backoff and a clear error at the end.
        http.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    private var model: String { reference.description }
    private var endpoint: URL { configuration.endpoint }

    // MARK: Routes

    /// `GET /api/models/{repo}/revision/{revision}`: the commit and the file names, or nil when the
    /// endpoint has no such route (a mirror that only serves files): then files are probed one by one.
    func listing() async throws -> (commit: String, files: Set<String>)? {
        let url = endpoint.appendingPathComponent("api/models/\(reference.repository)/revision")
            .appendingPathComponent(reference.revision.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? reference.revision)
        let (response, finalURL) = try await send(.GET, url, redirects: .sameOrigin)
        let body = try await response.body.collect(upTo: 64 << 20)
        if response.status.code >= 400 {
            if response.headers.first(name: "X-Error-Code") == nil && [404, 405, 501].contains(response.status.code) { return nil }
            throw failure(response, url: finalURL, file: nil)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
              let sha = object["sha"] as? String, let siblings = object["siblings"] as? [[String: Any]] else { return nil }
        guard Self.isSafeName(sha) else {
            throw HubError.server(model: model, url: finalURL.absoluteString, status: Int(response.status.code), message: "the listing's commit '\(sha)' is not a commit id")
        }
        return (sha, Set(siblings.compactMap { $0["rfilename"] as? String }))
    }

    /// `HEAD /{repo}/resolve/{revision}/{file}`: the file's ETag, size, commit and location, or nil
    /// when the repository has no such file.
    func metadata(_ file: String, revision: String) async throws -> RemoteFile? {
        let url = resolveURL(file, revision: revision)
        let (response, finalURL) = try await send(.HEAD, url, redirects: .hubOnly)
        if response.status.code >= 400 {
            let code = response.headers.first(name: "X-Error-Code")
            if response.status.code == 404 && (code == nil || code == "EntryNotFound") { return nil }
            throw failure(response, url: finalURL, file: file)
        }
        let headers = response.headers
        guard let commit = headers.first(name: "X-Repo-Commit") else {
            throw HubError.server(model: model, url: finalURL.absoluteString, status: Int(response.status.code),
                                  message: "no X-Repo-Commit header: \(endpoint.absoluteString) does not look like a Hugging Face hub; check HF_ENDPOINT")
        }
        guard let etag = Self.normalizeETag(headers.first(name: "X-Linked-Etag") ?? headers.first(name: "ETag")) else {
            throw HubError.server(model: model, url: finalURL.absoluteString, status: Int(response.status.code), message: "no ETag for \(file)")
        }
        // Both name files in the cache: nothing that could step out of it.
        guard Self.isSafeName(commit), Self.isSafeName(etag) else {
            throw HubError.server(model: model, url: finalURL.absoluteString, status: Int(response.status.code),
                                  message: "unusable X-Repo-Commit '\(commit)' or ETag '\(etag)' for \(file)")
        }
        let isRedirect = (300..<400).contains(response.status.code)
        let location = isRedirect ? headers.first(name: "Location").flatMap { URL(string: $0, relativeTo: finalURL)?.absoluteURL } : nil
        let size = (headers.first(name: "X-Linked-Size") ?? (isRedirect ? nil : headers.first(name: "Content-Length"))).flatMap { Int64($0) }
        return RemoteFile(name: file, etag: etag, size: size, location: location ?? finalURL, commit: commit)
    }

    func resolveURL(_ file: String, revision: String) -> URL {
        let encodedRevision = revision.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? revision
        return endpoint.appendingPathComponent(reference.repository).appendingPathComponent("resolve")
            .appendingPathComponent(encodedRevision, isDirectory: true).appendingPathComponent(file)
    }

    /// `W/"abc"` and `"abc"` → `abc`, as huggingface_hub names blobs.
    static func normalizeETag(_ etag: String?) -> String? {
        guard var value = etag?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if value.hasPrefix("W/") { value.removeFirst(2) }
        value = value.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        return value.isEmpty ? nil : value
    }

    // MARK: Downloads

    /// Downloads `remote` into `incomplete`, continuing the bytes already there (an HTTP range
    /// request), trying again after dropped connections, then checks its size and, for LFS files, its
    /// SHA-256. A file that fails the check is deleted, so that the next try starts afresh.
    func download(_ remote: RemoteFile, to incomplete: URL) async throws {
        let folder = incomplete.deletingLastPathComponent()
        var offset = Self.fileSize(incomplete) ?? 0
        var expected = remote.size
        if let size = expected, offset > size { try truncate(incomplete, remote); offset = 0 }
        if let size = expected, let available = Self.availableSpace(folder), available < size - offset {
            throw HubError.diskFull(model: model, file: remote.name, folder: folder.path, needed: size - offset, available: available)
        }
        let progress = DownloadProgress(label: remote.name, total: expected, initial: offset, enabled: configuration.showsProgress)
        var failures = 0
        // The auth header goes to the hub only, never to the storage host of a redirect.
        let authorized = Self.sameOrigin(remote.location, endpoint)
        while true {
            if let size = expected, offset == size { break }
            let range = offset > 0 ? [("Range", "bytes=\(offset)-")] : []
            let (response, finalURL) = try await send(.GET, remote.location, redirects: .all, authorized: authorized, extraHeaders: range)
            switch response.status.code {
            case 200:
                if offset > 0 {  // the server ignored the range: start over
                    try truncate(incomplete, remote)
                    offset = 0
                    progress.reset()
                }
            case 206:
                let start = response.headers.first(name: "Content-Range").flatMap(Self.rangeStart)
                if start != offset {
                    _ = try? await response.body.collect(upTo: 0)
                    try truncate(incomplete, remote)
                    offset = 0
                    progress.reset()
                    continue
                }
            case 416:
                _ = try? await response.body.collect(upTo: 1 << 16)
                if expected == nil || offset == expected { expected = offset; break }
                try truncate(incomplete, remote)
                offset = 0
                progress.reset()
                continue
            default:
                _ = try? await response.body.collect(upTo: 1 << 16)
                throw failure(response, url: finalURL, file: remote.name)
            }
            if response.status.code == 416 { break }
            if expected == nil, let total = Self.totalLength(response.headers) { expected = total }

            let fd = open(incomplete.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw HubError.cacheUnwritable(model: model, path: incomplete.path, reason: String(cString: strerror(errno)))
            }
            var received = false
            do {
                defer { close(fd) }
                for try await buffer in response.body {
                    try write(buffer, to: fd, incomplete, remote, expected: expected, written: offset)
                    offset += Int64(buffer.readableBytes)
                    received = received || buffer.readableBytes > 0
                    progress.advance(buffer.readableBytes)
                }
                if let size = expected, offset < size { throw HTTPClientError.remoteConnectionClosed }
                break
            } catch let error as HubError {
                throw error
            } catch {
                if error is CancellationError { throw error }
                // A connection dropped mid-file: continue from what arrived. Progress resets the count of failures.
                failures = received ? 1 : failures + 1
                guard failures <= configuration.maxRetries else {
                    throw HubError.network(model: model, endpoint: remote.location.absoluteString, reason: "\(remote.name) stopped at \(offset) bytes: \(Self.describe(error))")
                }
                try await Task.sleep(nanoseconds: UInt64(retryDelay(failures - 1) * 1e9))
            }
        }
        progress.finish()
        let actualSize = Self.fileSize(incomplete) ?? 0
        if let size = expected, actualSize != size {
            try? FileManager.default.removeItem(at: incomplete)
            throw HubError.sizeMismatch(model: model, file: remote.name, expected: size, actual: actualSize)
        }
        if let sha256 = remote.sha256 {
            let actual = try FileDigest.sha256(ofFile: incomplete)
            if actual != sha256 {
                try? FileManager.default.removeItem(at: incomplete)
                throw HubError.checksumMismatch(model: model, file: remote.name, expected: sha256, actual: actual)
            }
        }
    }

    private func write(_ buffer: ByteBuffer, to fd: Int32, _ incomplete: URL, _ remote: RemoteFile, expected: Int64?, written: Int64) throws {
        try buffer.withUnsafeReadableBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = posixWrite(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    if code == ENOSPC || code == EDQUOT {
                        throw HubError.diskFull(model: model, file: remote.name, folder: incomplete.deletingLastPathComponent().path,
                                                needed: expected.map { $0 - written }, available: Self.availableSpace(incomplete.deletingLastPathComponent()))
                    }
                    throw HubError.cacheUnwritable(model: model, path: incomplete.path, reason: String(cString: strerror(code)))
                }
                done += n
            }
        }
    }

    private func truncate(_ file: URL, _ remote: RemoteFile) throws {
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        guard posixTruncate(file.path, 0) == 0 else {
            throw HubError.cacheUnwritable(model: model, path: file.path, reason: String(cString: strerror(errno)))
        }
    }

    // MARK: Requests

    enum Redirects { case none, sameOrigin, hubOnly, all }

    /// Sends a request, retrying connection errors and 429/5xx answers with exponential backoff, and
    /// following redirects as `redirects` says: `hubOnly` stops at a redirect that carries the hub's
    /// file headers (to the storage host of an LFS file), whose headers are the file's metadata.
    func send(_ method: HTTPMethod, _ url: URL, redirects: Redirects, authorized: Bool = true,
              extraHeaders: [(String, String)] = []) async throws -> (HTTPClientResponse, URL) {
        var url = url
        var authorized = authorized
        for _ in 0..<10 {
            let response = try await sendWithRetries(method, url, authorized: authorized, extraHeaders: extraHeaders)
            let code = response.status.code
            guard (300..<400).contains(code), code != 304, let location = response.headers.first(name: "Location"),
                  let target = URL(string: location, relativeTo: url)?.absoluteURL else { return (response, url) }
            let carriesFileHeaders = response.headers.first(name: "X-Linked-Etag") != nil
                || (method == .HEAD && response.headers.first(name: "X-Repo-Commit") != nil && !Self.sameOrigin(target, url))
            switch redirects {
            case .none: return (response, url)
            case .sameOrigin where !Self.sameOrigin(target, url): return (response, url)
            case .hubOnly where carriesFileHeaders || !Self.sameOrigin(target, url): return (response, url)
            default: break
            }
            _ = try? await response.body.collect(upTo: 1 << 16)
            if !Self.sameOrigin(target, url) { authorized = false }
            url = target
        }
        throw HubError.server(model: model, url: url.absoluteString, status: 310, message: "more than 10 redirects")
    }

    private func sendWithRetries(_ method: HTTPMethod, _ url: URL, authorized: Bool, extraHeaders: [(String, String)]) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(name: "User-Agent", value: "deberta-swift; hf_hub-compatible")
        // The real size of each file, never a compressed one.
        request.headers.add(name: "Accept-Encoding", value: "identity")
        if authorized, let token = configuration.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in extraHeaders { request.headers.add(name: name, value: value) }
        var attempt = 0
        while true {
            do {
                // The deadline covers the headers; a body is read piece by piece under the read timeout.
                let response = try await client.execute(request, deadline: .now() + .hours(24))
                let code = response.status.code
                if (code == 429 || (500..<600).contains(code)) && attempt < configuration.maxRetries {
                    _ = try? await response.body.collect(upTo: 1 << 16)
                    try await Task.sleep(nanoseconds: UInt64(retryDelay(attempt) * 1e9))
                    attempt += 1
                    continue
                }
                return response
            } catch {
                if error is CancellationError { throw error }
                guard attempt < configuration.maxRetries else {
                    throw HubError.network(model: model, endpoint: endpoint.absoluteString, reason: Self.describe(error))
                }
                try await Task.sleep(nanoseconds: UInt64(retryDelay(attempt) * 1e9))
                attempt += 1
            }
        }
    }

    private func retryDelay(_ attempt: Int) -> Double {
        min(configuration.retryDelay * pow(2, Double(attempt)), 8)
    }

    /// The error an answer of 400 or more stands for, from huggingface_hub's `X-Error-Code` header
    /// and the status.
    func failure(_ response: HTTPClientResponse, url: URL, file: String?) -> HubError {
        let status = Int(response.status.code)
        let tokenSent = configuration.token != nil
        let repository = reference.repository
        switch response.headers.first(name: "X-Error-Code") {
        case "RevisionNotFound": return .revisionNotFound(repository: repository, revision: reference.revision)
        case "EntryNotFound": return .fileNotFound(repository: repository, revision: reference.revision, file: file ?? url.lastPathComponent)
        case "GatedRepo": return .accessDenied(repository: repository, status: status, gated: true, tokenSent: tokenSent)
        case "RepoNotFound": return .repositoryNotFound(repository: repository, tokenSent: tokenSent)
        default: break
        }
        switch status {
        case 401: return tokenSent ? .accessDenied(repository: repository, status: 401, gated: false, tokenSent: true)
                                   : .repositoryNotFound(repository: repository, tokenSent: false)
        case 403: return .accessDenied(repository: repository, status: 403, gated: false, tokenSent: tokenSent)
        case 404: return file.map { .fileNotFound(repository: repository, revision: reference.revision, file: $0) }
                      ?? .repositoryNotFound(repository: repository, tokenSent: tokenSent)
        default:
            return .server(model: model, url: url.absoluteString, status: status, message: response.headers.first(name: "X-Error-Message") ?? "")
        }
    }

    // MARK: Helpers

    /// A commit id or ETag usable as one file name: letters, digits, `-`, `_`, `.`, not `.` or `..`.
    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.count <= 256
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        func origin(_ u: URL) -> (String, String, Int) {
            let scheme = (u.scheme ?? "").lowercased()
            return (scheme, (u.host ?? "").lowercased(), u.port ?? (scheme == "https" ? 443 : 80))
        }
        return origin(a) == origin(b)
    }

    static func fileSize(_ url: URL) -> Int64? {
        var info = stat()
        return stat(url.path, &info) == 0 ? Int64(info.st_size) : nil
    }

    static func availableSpace(_ folder: URL) -> Int64? {
        var info = statvfs()
        guard statvfs(folder.path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// `bytes 100-199/200` → 100.
    static func rangeStart(_ header: String) -> Int64? {
        guard let range = header.split(separator: " ").last, let dash = range.firstIndex(of: "-") else { return nil }
        return Int64(range[..<dash])
    }

    /// The whole file's length: the total of `Content-Range`, else `Content-Length`.
    static func totalLength(_ headers: HTTPHeaders) -> Int64? {
        if let range = headers.first(name: "Content-Range"), let total = range.split(separator: "/").last { return Int64(total) }
        return headers.first(name: "Content-Length").flatMap { Int64($0) }
    }

    static func describe(_ error: Error) -> String {
        let text = String(describing: error)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}

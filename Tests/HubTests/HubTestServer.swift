import DeBERTaHub
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A Hugging Face hub on 127.0.0.1 (an ephemeral port), serving repositories made of fixture files
/// with the hub's routes and headers:
///
/// - `GET /api/models/{org}/{name}/revision/{revision}`: `{"sha": …, "siblings": [{"rfilename": …}]}`;
/// - `HEAD|GET /{org}/{name}/resolve/{revision}/{file}`: small files answer 200 with `ETag` and
///   `X-Repo-Commit`; LFS files (weights, `spm.model`) answer 302 to the storage host with
///   `X-Linked-Etag` (their SHA-256), `X-Linked-Size` and `X-Repo-Commit`;
/// - `GET|HEAD /cdn/{sha256}` on `localhost` (another origin, as the hub's CDN is): the bytes, with
///   `Range` (206, `Content-Range`), refusing requests that carry an `Authorization` header;
/// - errors as the hub sends them: 404 with `X-Error-Code: RepoNotFound` / `RevisionNotFound` /
///   `EntryNotFound`, 401/403 with `GatedRepo`.
///
/// Faults are switched on per test: a connection dropped mid-file, corrupted bytes, 503 answers,
/// slow bodies, no listing route, a claimed size larger than any disk. Every request is logged.
final class HubTestServer: @unchecked Sendable {
    /// One repository: its files, its commit (`main` points to it) and, when gated, the token that may read it.
    struct Repository {
        var files: [String: Data]
        var commit: String
        var gatedToken: String?
    }

    struct LoggedRequest {
        var method: String
        var path: String
        var headers: [(String, String)]
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    /// Files that go through LFS on the hub (the usual `.gitattributes`), served by the storage host.
    static func isLFS(_ name: String) -> Bool {
        [".safetensors", ".bin", ".model", ".h5", ".msgpack", ".ot"].contains { name.hasSuffix($0) }
    }

    private let lock = NSLock()
    private var repositories: [String: Repository] = [:]
    private var blobs: [String: Data] = [:]       // sha256 → bytes
    private var blobNames: [String: String] = [:] // sha256 → file name
    private var shas: [String: [String: String]] = [:] // repository → file → sha256 (hashed once)
    private var log: [LoggedRequest] = []
    // Faults.
    private var dropAfter: [String: Int] = [:]
    private var corrupted: Set<String> = []
    private var failuresLeft = 0
    private var claimedSizes: [String: Int64] = [:]
    private var listingEnabled = true
    private var chunkDelay: TimeAmount?

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var channel: Channel?
    private(set) var port = 0

    /// The hub's address, for `HF_ENDPOINT`.
    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    func start() async throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(HubHandler(server: self))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        self.channel = channel
        port = channel.localAddress?.port ?? 0
    }

    /// Closes the port and the connections; a second call does nothing.
    func stop() async {
        guard let channel = lock.withLock({ () -> Channel? in defer { self.channel = nil }; return self.channel }) else { return }
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    // MARK: Setup

    func add(_ repository: String, files: [String: Data], commit: String, gatedToken: String? = nil) {
        lock.withLock {
            repositories[repository] = Repository(files: files, commit: commit, gatedToken: gatedToken)
            for (name, data) in files where Self.isLFS(name) {
                let sha = FileDigest.sha256(of: data)
                blobs[sha] = data
                blobNames[sha] = name
                shas[repository, default: [:]][name] = sha
            }
        }
    }

    /// The first download of `file` stops after `bytes` bytes: the connection is closed mid-body.
    func dropConnection(of file: String, after bytes: Int) { lock.withLock { dropAfter[file] = bytes } }
    /// `file` is served with one byte changed, under its true SHA-256.
    func corrupt(_ file: String) { lock.withLock { _ = corrupted.insert(file) } }
    /// The next `count` requests answer 503.
    func failNext(_ count: Int) { lock.withLock { failuresLeft = count } }
    /// `X-Linked-Size` of `file` claims `size` bytes.
    func claimSize(of file: String, _ size: Int64) { lock.withLock { claimedSizes[file] = size } }
    /// Without the listing route, as a mirror that serves files only.
    func disableListing() { lock.withLock { listingEnabled = false } }
    /// File bodies go out in 16 pieces, `delay` apart.
    func slowBodies(_ delay: TimeAmount) { lock.withLock { chunkDelay = delay } }

    var requests: [LoggedRequest] { lock.withLock { log } }
    func clearLog() { lock.withLock { log.removeAll() } }

    // MARK: Routes

    struct Reply {
        var status: HTTPResponseStatus
        var headers: [(String, String)] = []
        var body = Data()
        var dropAfter: Int?
        var chunkDelay: TimeAmount?
    }

    func reply(method: HTTPMethod, uri: String, headers: HTTPHeaders) -> Reply {
        lock.withLock {
            log.append(LoggedRequest(method: method.rawValue, path: uri, headers: headers.map { ($0.name, $0.value) }))
            if failuresLeft > 0 {
                failuresLeft -= 1
                return Reply(status: .serviceUnavailable, body: Data("busy".utf8))
            }
            let path = String(uri.split(separator: "?", maxSplits: 1).first ?? "")
            let parts = path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
            if parts.first == "cdn", parts.count == 2 { return storage(sha: parts[1], method: method, headers: headers) }
            if parts.count >= 6, parts[0] == "api", parts[1] == "models", parts[4] == "revision" {
                guard listingEnabled else { return Reply(status: .notFound, body: Data("Not Found".utf8)) }
                return listing(repository: parts[2] + "/" + parts[3], revision: parts[5...].joined(separator: "/"))
            }
            if parts.count >= 5, parts[2] == "resolve" {
                return resolve(repository: parts[0] + "/" + parts[1], revision: parts[3], file: parts[4...].joined(separator: "/"),
                               method: method, headers: headers)
            }
            return Reply(status: .notFound, body: Data("Not Found".utf8))
        }
    }

    private func hubError(_ status: HTTPResponseStatus, _ code: String, _ message: String, commit: String? = nil) -> Reply {
        var headers = [("X-Error-Code", code), ("X-Error-Message", message), ("Content-Type", "application/json")]
        if let commit { headers.append(("X-Repo-Commit", commit)) }
        return Reply(status: status, headers: headers, body: Data("{\"error\":\"\(message)\"}".utf8))
    }

    private func commit(of repo: Repository, _ revision: String) -> String? {
        revision == "main" || revision == repo.commit ? repo.commit : nil
    }

    private func listing(repository: String, revision: String) -> Reply {
        guard let repo = repositories[repository] else { return hubError(.notFound, "RepoNotFound", "Repository not found") }
        guard let commit = commit(of: repo, revision) else { return hubError(.notFound, "RevisionNotFound", "Invalid rev id: \(revision)") }
        // Gated repositories show their listing to anyone, as the hub does; their files need the token.
        let siblings = repo.files.keys.sorted().map { ["rfilename": $0] }
        let object: [String: Any] = ["id": repository, "modelId": repository, "sha": commit, "private": false,
                                     "gated": repo.gatedToken == nil ? false : "manual", "siblings": siblings]
        let body = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Reply(status: .ok, headers: [("Content-Type", "application/json; charset=utf-8")], body: body)
    }

    private func resolve(repository: String, revision: String, file: String, method: HTTPMethod, headers: HTTPHeaders) -> Reply {
        guard let repo = repositories[repository] else { return hubError(.unauthorized, "RepoNotFound", "Repository not found") }
        guard let commit = commit(of: repo, revision) else { return hubError(.notFound, "RevisionNotFound", "Invalid rev id: \(revision)") }
        if let token = repo.gatedToken {
            let sent = headers.first(name: "Authorization")
            if sent == nil {
                return hubError(.unauthorized, "GatedRepo", "Access to model \(repository) is restricted. You must have access to it and be authenticated to access it. Please log in.")
            }
            if sent != "Bearer \(token)" {
                return hubError(.forbidden, "GatedRepo", "Access to model \(repository) is restricted and you are not in the authorized list.")
            }
        }
        guard let data = repo.files[file] else { return hubError(.notFound, "EntryNotFound", "Entry not found", commit: commit) }
        if Self.isLFS(file), let sha = shas[repository]?[file] {
            let size = claimedSizes[file] ?? Int64(data.count)
            return Reply(status: .found, headers: [
                ("Location", "http://localhost:\(port)/cdn/\(sha)?X-Amz-Signature=test"),
                ("X-Repo-Commit", commit), ("X-Linked-Etag", "\"\(sha)\""), ("X-Linked-Size", String(size)),
                ("ETag", "\"\(Self.blobID(Data("version https://git-lfs.github.com/spec/v1\noid sha256:\(sha)\nsize \(data.count)\n".utf8)))\""),
                ("Content-Length", "0"),
            ])
        }
        var reply = ranged(data, headers: headers)
        reply.headers += [("X-Repo-Commit", commit), ("ETag", "\"\(Self.blobID(data))\""), ("Content-Type", "text/plain; charset=utf-8")]
        return reply
    }

    private func storage(sha: String, method: HTTPMethod, headers: HTTPHeaders) -> Reply {
        // A signed storage URL carries its own credentials; the hub's token must not travel there.
        if headers.first(name: "Authorization") != nil {
            return Reply(status: .badRequest, body: Data("Only one auth mechanism allowed".utf8))
        }
        guard var data = blobs[sha], let name = blobNames[sha] else { return Reply(status: .notFound) }
        if corrupted.contains(name) { data[data.count / 2] ^= 0xFF }
        var reply = ranged(data, headers: headers)
        reply.headers += [("ETag", "\"\(sha)\""), ("Content-Type", "application/octet-stream")]
        if method == .GET, let drop = dropAfter.removeValue(forKey: name) { reply.dropAfter = drop }
        reply.chunkDelay = chunkDelay
        return reply
    }

    /// The whole file (200), or the part a `Range: bytes=N-[M]` header asks for (206; 416 past the end).
    private func ranged(_ data: Data, headers: HTTPHeaders) -> Reply {
        let count = data.count
        guard let range = headers.first(name: "Range"), range.hasPrefix("bytes="),
              let dash = range.firstIndex(of: "-"), let start = Int(range[range.index(range.startIndex, offsetBy: 6)..<dash]) else {
            return Reply(status: .ok, headers: [("Content-Length", String(count)), ("Accept-Ranges", "bytes")], body: data)
        }
        let end = Int(range[range.index(after: dash)...]).map { min($0, count - 1) } ?? count - 1
        guard start < count, start <= end else {
            return Reply(status: .rangeNotSatisfiable, headers: [("Content-Range", "bytes */\(count)"), ("Content-Length", "0")])
        }
        return Reply(status: .partialContent, headers: [("Content-Range", "bytes \(start)-\(end)/\(count)"),
                                                        ("Content-Length", String(end - start + 1)), ("Accept-Ranges", "bytes")],
                     body: data.subdata(in: start..<(end + 1)))
    }

    /// Stands in for git's blob id of a small file (the hub sends the SHA-1 of `blob <size>\0<bytes>`;
    /// clients treat it as an opaque name): 40 hex digits of the SHA-256 of the same text.
    static func blobID(_ data: Data) -> String {
        String(FileDigest.sha256(of: Data("blob \(data.count)\0".utf8) + data).prefix(40))
    }
}

/// Answers one request at a time on a connection, as `HubTestServer.reply` says.
private final class HubHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: HubTestServer
    private var head: HTTPRequestHead?

    init(server: HubTestServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(context, head, server.reply(method: head.method, uri: head.uri, headers: head.headers))
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ request: HTTPRequestHead, _ reply: HubTestServer.Reply) {
        var headers = HTTPHeaders(reply.headers)
        if !headers.contains(name: "Content-Length") { headers.add(name: "Content-Length", value: String(reply.body.count)) }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: reply.status, headers: headers))), promise: nil)
        guard request.method != .HEAD, !reply.body.isEmpty else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        if let drop = reply.dropAfter {
            // Part of the body, then the connection goes: the client sees a body shorter than Content-Length.
            let part = ByteBuffer(bytes: reply.body.prefix(drop))
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(part)))).whenComplete { _ in context.close(promise: nil) }
            return
        }
        guard let delay = reply.chunkDelay else {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: reply.body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        let pieceSize = max(1, (reply.body.count + 15) / 16)
        let pieces = stride(from: 0, to: reply.body.count, by: pieceSize).map { reply.body.subdata(in: $0..<min($0 + pieceSize, reply.body.count)) }
        writePieces(context, pieces[...], delay: delay)
    }

    private func writePieces(_ context: ChannelHandlerContext, _ pieces: ArraySlice<Data>, delay: TimeAmount) {
        guard let piece = pieces.first else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: piece))))).whenComplete { _ in
            context.eventLoop.scheduleTask(in: delay) { self.writePieces(context, pieces.dropFirst(), delay: delay) }
        }
    }
}

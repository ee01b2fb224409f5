import Crypto
import Foundation

/// SHA-256 digests in the hub's spelling (lower-case hex): the hub names every LFS file (weights,
/// `spm.model`) by the SHA-256 of its bytes (`X-Linked-Etag`), and a download is only moved into the
/// cache when its digest matches. The hashing is swift-crypto's (already in the graph through the
/// HTTP client).
public enum FileDigest {
    /// The hex SHA-256 of `data`.
    public static func sha256(of data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// The hex SHA-256 of the file at `url`, read in 1 MiB pieces.
    public static func sha256(ofFile url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hex(hasher.finalize())
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

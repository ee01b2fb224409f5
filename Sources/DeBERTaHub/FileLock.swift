import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock(2)` on a file, the lock huggingface_hub's `filelock` takes on
/// `.locks/models--org--name/<etag>.lock`: two downloads of one file, in two processes (ours or
/// Python's) or two tasks of one process, take turns instead of writing the same blob.
final class FileLock: @unchecked Sendable {
    private var descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    /// Waits (polling, so that no thread blocks) until the lock on `url` is held; creates the file
    /// and its folders when absent.
    static func acquire(_ url: URL) async throws -> FileLock {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Group-writable as huggingface_hub makes them, so that users sharing a cache can wait on each other.
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o664)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSLocalizedDescriptionKey: "\(url.path): \(String(cString: strerror(errno)))"])
        }
        // Each open(2) is its own open file description, so this also excludes another task of this process.
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw CocoaError(.fileLocking, userInfo: [NSLocalizedDescriptionKey: "\(url.path): \(reason)"])
            }
            do { try await Task.sleep(nanoseconds: 50_000_000) } catch { close(fd); throw error }
        }
        return FileLock(descriptor: fd)
    }

    /// Releases the lock (the file stays, as huggingface_hub leaves it).
    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

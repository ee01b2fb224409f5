import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Atomic file replacement: the bytes go to a temporary file in the destination's own directory, are
/// flushed, and the temporary file is renamed over the destination. Readers never see a half-written
/// file and a failed write leaves any earlier file untouched.
enum AtomicFile {
    /// Writes `bytes` to `url` atomically.
    /// - Throws: `GLUEError` (`.ioFailure`) naming the destination and the system's reason.
    static func write(_ bytes: [UInt8], to url: URL) throws {
        let destination = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else {
            throw GLUEError(.ioFailure, file: destination, "cannot create temporary file \(temporary): \(lastError())")
        }
        var closed = false
        defer {
            if !closed { close(descriptor) }
        }
        do {
            try bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw GLUEError(.ioFailure, file: destination, "write failed: \(lastError())")
                    }
                    offset += written
                }
            }
            guard fsync(descriptor) == 0 else {
                throw GLUEError(.ioFailure, file: destination, "fsync failed: \(lastError())")
            }
            closed = true
            guard close(descriptor) == 0 else {
                throw GLUEError(.ioFailure, file: destination, "close failed: \(lastError())")
            }
            guard rename(temporary, destination) == 0 else {
                throw GLUEError(.ioFailure, file: destination, "cannot rename \(temporary) into place: \(lastError())")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }

    private static func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(fd, buffer, count)
        #else
        return Darwin.write(fd, buffer, count)
        #endif
    }
}

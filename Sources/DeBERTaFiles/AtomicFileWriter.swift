import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file atomically: the bytes go to a temporary file in the destination's directory, which is
/// flushed to disk and then renamed over the destination. Readers never see a partial file, and a
/// failed write leaves any existing file untouched. Write as often as needed (streaming), then
/// ``commit()``; a writer dropped without committing removes its temporary file.
public final class AtomicFileWriter {
    private let destination: URL
    private let temporaryPath: String
    private var descriptor: Int32
    private var finished = false

    /// Creates the temporary file next to `destination`.
    public init(destination: URL) throws {
        self.destination = destination
        let directory = destination.deletingLastPathComponent().path
        temporaryPath = directory + "/." + destination.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else {
            throw FileError(file: destination.path, message: "cannot create temporary file \(temporaryPath): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if !finished {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    /// Appends `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc_or_Darwin_write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileError(file: destination.path, message: "write failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Appends `bytes`.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Flushes, closes and renames the temporary file over the destination.
    public func commit() throws {
        guard fsync(descriptor) == 0 else {
            throw FileError(file: destination.path, message: "fsync failed: \(String(cString: strerror(errno)))")
        }
        guard close(descriptor) == 0 else {
            throw FileError(file: destination.path, message: "close failed: \(String(cString: strerror(errno)))")
        }
        finished = true
        guard rename(temporaryPath, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw FileError(file: destination.path, message: "cannot rename temporary file into place: \(reason)")
        }
    }
}

/// The C library's `write(2)` (named apart from `AtomicFileWriter.write`).
@inline(__always)
private func Glibc_or_Darwin_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}

/// Writes `data` to `url` atomically (temporary file in the same folder, flushed, renamed over `url`).
public func writeFileAtomically(_ data: Data, to url: URL) throws {
    let writer = try AtomicFileWriter(destination: url)
    try data.withUnsafeBytes { try writer.write($0) }
    try writer.commit()
}

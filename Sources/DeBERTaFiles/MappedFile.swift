import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory.
///
/// The mapping lives as long as this object: tensors that view the file keep a reference to it, and the
/// region is unmapped in `deinit`. Changing or truncating the file on disk while it is mapped is not
/// supported (the operating system may then deliver SIGBUS), as with any memory-mapped reader.
public final class MappedFile: @unchecked Sendable {
    /// Path used in error messages.
    public let path: String
    /// Start of the mapping; `nil` for an empty file.
    private let base: UnsafeRawPointer?
    /// Length of the file in bytes.
    public let count: Int

    /// Maps the file at `url`, throwing a ``FileError`` if it cannot be opened or mapped.
    public init(url: URL) throws {
        path = url.path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw FileError(file: url.path, message: "cannot open file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw FileError(file: url.path, message: "cannot stat file: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw FileError(file: url.path, message: "not a regular file")
        }
        count = Int(info.st_size)
        if count == 0 {
            base = nil
            return
        }
        let address = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw FileError(file: url.path, message: "cannot memory-map file: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(address)
    }

    deinit {
        if let base {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        }
    }

    /// The mapped bytes. Valid only while `self` is alive.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// The first `n` bytes (fewer if the file is shorter), copied.
    public func prefix(_ n: Int) -> [UInt8] { Array(bytes.prefix(n)) }
}

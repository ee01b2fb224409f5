import DeBERTaFiles
import Foundation

/// The immutable little-endian bytes of one tensor: either a window into a ``MappedFile`` (kept alive
/// by this object) or a buffer this object allocated and frees in `deinit`.
final class TensorBytes: @unchecked Sendable {
    /// Start of the bytes; `nil` when `count` is 0.
    private let start: UnsafeRawPointer?
    /// Number of bytes.
    let count: Int
    /// The mapping or parent buffer `start` points into, if any (kept alive).
    private let keepAlive: AnyObject?
    /// The allocation `start` points to, if owned.
    private let owned: UnsafeMutableRawPointer?

    /// A view of `count` bytes at `offset` inside `mapping` (the caller has checked the range).
    init(mapping: MappedFile, offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= mapping.count, "TensorBytes range outside mapping")
        self.keepAlive = mapping
        self.owned = nil
        self.count = count
        self.start = count == 0 ? nil : UnsafeRawPointer(mapping.bytes.baseAddress! + offset)
    }

    /// A view of `count` bytes at `offset` inside `parent` (the caller has checked the range).
    init(slicing parent: TensorBytes, offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= parent.count, "TensorBytes slice outside parent")
        self.keepAlive = parent
        self.owned = nil
        self.count = count
        self.start = count == 0 ? nil : parent.start! + offset
    }

    /// A fresh buffer of `count` bytes filled by `fill`.
    init(count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        self.count = count
        self.keepAlive = nil
        if count == 0 {
            owned = nil
            start = nil
            try fill(UnsafeMutableRawBufferPointer(start: nil, count: 0))
        } else {
            let memory = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
            do {
                try fill(UnsafeMutableRawBufferPointer(start: memory, count: count))
            } catch {
                memory.deallocate()
                throw error
            }
            owned = memory
            start = UnsafeRawPointer(memory)
        }
    }

    /// A copy of `source`.
    convenience init(copying source: UnsafeRawBufferPointer) {
        self.init(count: source.count) { destination in
            if source.count > 0 { destination.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: source.count) }
        }
    }

    deinit { owned?.deallocate() }

    /// The bytes. Valid only while `self` is alive.
    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: start, count: count) }
}

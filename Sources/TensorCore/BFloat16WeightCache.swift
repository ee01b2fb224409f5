import Foundation

/// bfloat16 copies of constant weights, so that bf16 inference rounds each weight once rather
/// than on every call.
///
/// Entries are keyed by the weight's storage identity and checked against its
/// ``TensorStorage/version``; an entry whose storage is gone is dropped on the next insertion.
/// Only weights that do not require gradients are cached (weights being trained change every
/// step and are rounded per forward pass, the copy then serving the backward pass too).
public enum BFloat16WeightCache {
    private final class Entry {
        weak var storage: TensorStorage?
        let version: UInt64
        let buffer: BFloat16Buffer
        init(storage: TensorStorage, buffer: BFloat16Buffer) {
            self.storage = storage
            version = storage.version
            self.buffer = buffer
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var entries: [ObjectIdentifier: Entry] = [:]

    /// The bfloat16 copy of `weight`'s values, made now if absent or stale.
    public static func buffer(for weight: Tensor) -> BFloat16Buffer {
        let storage = weight.storage
        let id = ObjectIdentifier(storage)
        if let e = lock.withLock({ entries[id] }), e.storage === storage, e.version == storage.version {
            return e.buffer
        }
        let buffer = BFloat16Buffer(rounding: weight)
        lock.withLock {
            entries = entries.filter { $0.value.storage != nil }
            entries[id] = Entry(storage: storage, buffer: buffer)
        }
        return buffer
    }

    /// Number of cached weights whose storage is alive.
    public static var count: Int { lock.withLock { entries.values.filter { $0.storage != nil }.count } }

    /// Drops every cached copy (frees their memory).
    public static func removeAll() { lock.withLock { entries.removeAll() } }
}

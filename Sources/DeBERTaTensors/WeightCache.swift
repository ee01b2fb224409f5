import Foundation

/// Values derived from constant weights (a bfloat16 copy, a packed layout), made once per weight
/// rather than on every call.
///
/// Entries are keyed by the weight's storage identity and checked against its
/// ``TensorStorage/version``, so an optimizer step or a restored checkpoint makes them stale; an
/// entry whose storage is gone is dropped on the next insertion.
public final class WeightCache<Value: AnyObject>: @unchecked Sendable {
    private final class Entry {
        weak var storage: TensorStorage?
        let version: UInt64
        let value: Value
        init(storage: TensorStorage, value: Value) {
            self.storage = storage
            version = storage.version
            self.value = value
        }
    }

    private let lock = NSLock()
    private var entries: [ObjectIdentifier: Entry] = [:]

    public init() {}

    /// The value derived from `weight`, made by `make` now if absent or stale.
    public func value(for weight: Tensor, make: (Tensor) -> Value) -> Value {
        let storage = weight.storage
        let id = ObjectIdentifier(storage)
        if let e = lock.withLock({ entries[id] }), e.storage === storage, e.version == storage.version {
            return e.value
        }
        let value = make(weight)
        lock.withLock {
            entries = entries.filter { $0.value.storage != nil }
            entries[id] = Entry(storage: storage, value: value)
        }
        return value
    }

    /// Number of cached values whose weight storage is alive.
    public var count: Int { lock.withLock { entries.values.filter { $0.storage != nil }.count } }

    /// Drops every cached value (frees their memory).
    public func removeAll() { lock.withLock { entries.removeAll() } }
}

/// Frees every copy derived from constant weights (packed fp32 panels, bf16 copies): evaluation in
/// the middle of training calls it before training resumes, since the next optimizer step makes
/// those copies stale while they would still hold memory the size of the weights.
public func releaseConstantWeightCaches() {
    PackedWeight.removeAllCached()
    BFloat16WeightCache.removeAll()
}

import Foundation

/// Copies of one weight in the layouts inference multiplies by: packed float32 column panels
/// (``PackedWeight``) and bfloat16 values (``BFloat16Buffer``), each made on first use and made again
/// once the weight's storage has changed (its ``TensorStorage/version``, bumped by optimizer steps
/// and checkpoint restores).
///
/// The layer that holds the weight owns its cache, so the copies live as long as the model and no
/// longer. Whoever runs a pass that will be followed by an update empties it (``removeAll()``):
/// copies that the update makes stale would otherwise hold memory the size of the weight.
public final class WeightCache: @unchecked Sendable {
    /// One copy, valid while `storage` is the weight's storage at `version`.
    private struct Slot<Value: AnyObject> {
        weak var storage: TensorStorage?
        let version: UInt64
        let value: Value

        func holds(_ weight: Tensor) -> Bool { storage === weight.storage && version == weight.storage.version }
    }

    private let lock = NSLock()
    private var packedSlot: Slot<PackedWeight>?
    private var bfloat16Slot: Slot<BFloat16Buffer>?

    public init() {}

    /// The packed form of `weight`, or nil where the packed kernel does not apply
    /// (see ``PackedWeight/canPack(_:)``).
    public func packed(_ weight: Tensor) -> PackedWeight? {
        guard PackedWeight.canPack(weight) else { return nil }
        if let slot = lock.withLock({ packedSlot }), slot.holds(weight) { return slot.value }
        let value = PackedWeight(weight)
        lock.withLock { packedSlot = Slot(storage: weight.storage, version: weight.storage.version, value: value) }
        return value
    }

    /// The bfloat16 copy of `weight`'s values.
    public func bfloat16(_ weight: Tensor) -> BFloat16Buffer {
        if let slot = lock.withLock({ bfloat16Slot }), slot.holds(weight) { return slot.value }
        let value = BFloat16Buffer(rounding: weight)
        lock.withLock { bfloat16Slot = Slot(storage: weight.storage, version: weight.storage.version, value: value) }
        return value
    }

    /// Drops the copies (frees their memory).
    public func removeAll() {
        lock.withLock {
            packedSlot = nil
            bfloat16Slot = nil
        }
    }

    /// Bytes the copies hold.
    public var byteCount: Int {
        lock.withLock { (packedSlot?.value.byteCount ?? 0) + (bfloat16Slot.map { $0.value.count * 2 } ?? 0) }
    }
}

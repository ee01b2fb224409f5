import Foundation
import DeBERTaTensors

/// One value derived from weights that are not being trained (inference): kept while every source
/// tensor is the same storage at the same ``TensorStorage/version`` and the `extra` key (lengths,
/// matmul precision) is equal, recomputed otherwise. The relative-position table and its
/// projections depend on the weights and the sequence length only, so inference computes them once.
final class FrozenCache<Value> {
    private struct Entry {
        let storages: [TensorStorage]
        let versions: [UInt64]
        let extra: [Int]
        let value: Value
    }

    private var entry: Entry?
    private let lock = NSLock()

    /// Whether `sources` allow caching in `context`: inference, and no source records gradients.
    static func applies(_ sources: [Tensor], _ context: ForwardContext) -> Bool {
        !context.training && !sources.contains(where: \.requiresGrad)
    }

    /// The cached value for `sources` and `extra`, made by `make` when absent or stale.
    func value(sources: [Tensor], extra: [Int], make: () -> Value) -> Value {
        let storages = sources.map(\.storage)
        let versions = storages.map(\.version)
        let key = extra + [Precision.matmul == .fp32 ? 0 : 1]
        if let e = lock.withLock({ entry }), e.extra == key, e.versions == versions,
           zip(e.storages, storages).allSatisfy({ $0 === $1 }) {
            return e.value
        }
        let value = make()
        lock.withLock { entry = Entry(storages: storages, versions: versions, extra: key, value: value) }
        return value
    }

    /// Drops the cached value.
    func clear() { lock.withLock { entry = nil } }
}

import Foundation
import DeBERTaTensors

/// One value derived from weights, kept across inference passes: while every source tensor is the
/// same storage at the same ``TensorStorage/version`` and the `extra` key (lengths) and the matmul
/// precision are equal, recomputed otherwise. The relative-position table and its projections depend
/// on the weights and the sequence length only, so inference computes them once.
final class FrozenCache<Value> {
    private struct Entry {
        let storages: [TensorStorage]
        let versions: [UInt64]
        let extra: [Int]
        let value: Value
    }

    private var entry: Entry?
    private let lock = NSLock()

    /// In inference, the cached value for `sources` and `extra`, made by `make` when absent or stale.
    /// Passes that record gradients get `make()` itself (their graph must reach the weights) and
    /// drop the entry, which the update that follows makes stale.
    func value(in context: ForwardContext, sources: [Tensor], extra: [Int], make: () -> Value) -> Value {
        guard context.mode == .inference else {
            lock.withLock { entry = nil }
            return make()
        }
        let storages = sources.map(\.storage)
        let versions = storages.map(\.version)
        let key = extra + [context.precision == .fp32 ? 0 : 1]
        if let e = lock.withLock({ entry }), e.extra == key, e.versions == versions,
           zip(e.storages, storages).allSatisfy({ $0 === $1 }) {
            return e.value
        }
        let value = make()
        lock.withLock { entry = Entry(storages: storages, versions: versions, extra: key, value: value) }
        return value
    }
}

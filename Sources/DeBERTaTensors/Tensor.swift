import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A reference-counted block of `Float` values, allocated once and never resized.
///
/// Several ``Tensor`` values may share one storage (reshapes are free). Kernels write into
/// a storage only while they own it exclusively (freshly allocated outputs, optimizer updates).
public final class TensorStorage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int
    /// Bytes of the block behind `pointer` (at least `count` floats).
    private let capacity: Int
    /// Bumped by ``markModified()``: how copies derived from the values (packed and bf16 weight
    /// copies, see ``WeightCache``) tell that they are stale.
    public private(set) var version: UInt64 = 0

    /// Records that the values were rewritten in place after they may have been read (optimizer
    /// steps, checkpoint restores). Code that writes into a weight's storage must call it.
    public func markModified() { version &+= 1 }

    /// Allocates `count` uninitialised floats (64-byte aligned; large ones from ``BufferPool``).
    /// Stops the process with ``TensorAllocationError``'s message when the memory cannot be had:
    /// the operations that call it cannot throw. Code that can report the failure (model
    /// construction) uses ``init(allocatingCount:)``.
    public convenience init(uninitializedCount count: Int) {
        do { try self.init(allocatingCount: count) } catch { fatalError("\(error)") }
    }

    /// Allocates `count` uninitialised floats like ``init(uninitializedCount:)``, throwing
    /// ``TensorAllocationError`` ("out of memory for a tensor of N bytes") instead of stopping.
    public init(allocatingCount count: Int) throws(TensorAllocationError) {
        _ = TensorStorage.allocatorConfigured
        let bytes = try TensorAllocationError.floatBytes(count)
        let (block, capacity) = try BufferPool.allocate(byteCount: bytes)
        self.count = count
        pointer = block.bindMemory(to: Float.self, capacity: max(count, 1))
        self.capacity = capacity
        let live = TensorStorage.live.add(bytes, ordering: .relaxed).newValue
        TensorStorage.peak.max(live, ordering: .relaxed)
    }

    deinit {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        TensorStorage.live.subtract(bytes, ordering: .relaxed)
        BufferPool.release(UnsafeMutableRawPointer(pointer), capacity: capacity)
    }

    private static let live = Atomic<Int>(0)
    private static let peak = Atomic<Int>(0)

    /// Bytes held by all tensor storages alive now.
    public static var liveBytes: Int { live.load(ordering: .relaxed) }
    /// The most bytes tensor storages held at once since the start or the last ``resetPeakBytes()``.
    public static var peakBytes: Int { peak.load(ordering: .relaxed) }
    /// Starts a new peak measurement from the bytes alive now.
    public static func resetPeakBytes() { peak.store(live.load(ordering: .relaxed), ordering: .relaxed) }
    /// Freed tensor memory kept mapped for reuse (see ``BufferPool``).
    public static var cachedBytes: Int { BufferPool.cachedBytes }

    /// Keeps freed activation buffers in the heap for reuse: glibc otherwise returns every block
    /// above 128 KiB to the kernel and page-faults it back in on the next allocation (see
    /// BENCHMARKS.md, "Memory allocation").
    static let allocatorConfigured: Bool = {
        #if canImport(Glibc)
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
            let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
            _ = mallopt(-3, 32 << 20)  // M_MMAP_THRESHOLD (glibc caps it at 32 MiB)
            _ = mallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD
        }
        #endif
        return true
    }()
}

/// A dense, row-major, contiguous float32 tensor.
///
/// A tensor that takes part in differentiation carries a ``GradNode``: ops applied to it record
/// their vector-Jacobian product so that ``Tensor/backward()`` can propagate gradients.
public struct Tensor: @unchecked Sendable {
    /// Extent of every axis, outermost first.
    public let shape: [Int]
    /// The values, `shape.reduce(1, *)` of them.
    public let storage: TensorStorage
    /// The autodiff node, when this tensor is a parameter that requires a gradient or was computed from one.
    public internal(set) var node: GradNode?

    /// Wraps existing storage (no copy).
    public init(shape: [Int], storage: TensorStorage) {
        precondition(shape.reduce(1, *) == storage.count, "shape \(shape) does not match storage of \(storage.count) values")
        self.shape = shape
        self.storage = storage
        self.node = nil
    }

    /// A new tensor with uninitialised values.
    public init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *)))
    }

    /// A new tensor with uninitialised values, or ``TensorAllocationError`` when `shape` has a
    /// negative extent, its size overflows, or the memory cannot be had.
    public init(allocatingShape shape: [Int]) throws(TensorAllocationError) {
        let count = try TensorAllocationError.elementCount(shape)
        self.init(shape: shape, storage: try TensorStorage(allocatingCount: count))
    }

    /// A tensor filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(uninitializedShape: shape)
        storage.pointer.initialize(repeating: value, count: storage.count)
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// A tensor holding a copy of `values`.
    public init(_ values: [Float], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        self.init(uninitializedShape: shape)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// Number of elements.
    @inlinable public var count: Int { storage.count }
    /// Number of axes.
    @inlinable public var rank: Int { shape.count }
    /// Read-only pointer to the first element.
    @inlinable public var data: UnsafeMutablePointer<Float> { storage.pointer }
    /// The values as an array (a copy).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }
    /// The single value of a one-element tensor.
    public var item: Float { precondition(count == 1); return storage.pointer[0] }

    /// Whether gradients flow into or through this tensor.
    public var requiresGrad: Bool { node != nil }

    /// The same values marked as a leaf that accumulates a gradient in ``grad``.
    public func requiringGrad() -> Tensor {
        var t = Tensor(shape: shape, storage: storage)
        t.node = GradNode(leafShape: shape)
        return t
    }

    /// The same values, cut off from the autodiff graph.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// The accumulated gradient of a leaf after ``backward()``.
    public var grad: Tensor? { node?.gradient?.dense }

    /// The accumulated gradient of a leaf, row-sparse where only embedding lookups produced it.
    public var gradient: Gradient? { node?.gradient }

    /// A deep copy of the values (no autodiff history).
    public func copy() -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        t.data.update(from: data, count: count)
        return t
    }

    /// Extent of `axis`, which may be negative (counted from the end).
    @inlinable public func dim(_ axis: Int) -> Int { shape[axis < 0 ? shape.count + axis : axis] }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String(format: "%.5g", $0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", …" : "")])"
    }
}

/// Integer tensor for indices (token ids, labels, positions); never differentiated.
public struct IndexTensor: Sendable, Equatable {
    public let shape: [Int]
    public let values: [Int32]

    public init(_ values: [Int32], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.values = values
    }

    public init(_ values: [Int], shape: [Int]) {
        self.init(values.map { Int32(truncatingIfNeeded: $0) }, shape: shape)
    }

    public var count: Int { values.count }
}

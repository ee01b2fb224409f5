import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where the storage of large tensors comes from: whole pages mapped from the kernel and reused by
/// size class, so that a training step's activations land in the blocks the previous step freed.
///
/// The C heap keeps freed blocks too (we raise its trim threshold so that activations are not
/// page-faulted back in every forward pass), but it carves every size out of one arena: blocks
/// that outlive a step (gradients, optimizer state, sampled batches) pin the freed space around
/// them, and an RTD pretraining run grew to twice its live tensors. Here a freed block returns to
/// its own size class; the classes are powers of two split in four (at most 25 % rounding,
/// untouched pages stay unbacked) so that tensors whose size varies from step to step
/// (masked-position logits) share blocks.
///
/// A request takes a cached block of its class, else the smallest cached block up to twice its
/// size. The cache never holds more than the highest total of live pooled blocks so far (a miss
/// unmaps the oldest cached blocks beyond that). Holding the footprint to the live peak exactly
/// (unmapping on every miss) would page-fault the activations back in on every training step (see
/// BENCHMARKS.md, "Memory allocation").
enum BufferPool {
    /// Requests below this size come from the C heap.
    static let threshold = 256 << 10

    private struct Cached {
        var block: UnsafeMutableRawPointer
        var stamp: UInt64
    }

    private struct State {
        var free: [Int: [Cached]] = [:]
        var cachedBytes = 0
        var liveBytes = 0
        var highWater = 0
        var clock: UInt64 = 0

        /// Removes the least recently freed block.
        mutating func takeOldest() -> (Int, UnsafeMutableRawPointer)? {
            var best: (size: Int, stamp: UInt64)? = nil
            for (size, list) in free {
                if let first = list.first, best == nil || first.stamp < best!.stamp { best = (size, first.stamp) }
            }
            guard let best else { return nil }
            let block = free[best.size]!.removeFirst().block
            if free[best.size]!.isEmpty { free[best.size] = nil }
            cachedBytes -= best.size
            return (best.size, block)
        }
    }

    private static let state = Mutex(State())
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// The largest request served at all (2⁵² bytes, beyond any machine's memory): keeps the
    /// size-class arithmetic below from overflowing on absurd requests, which then fail cleanly.
    static let largestRequest = 1 << 52

    /// The bytes a request of `byteCount` occupies: its size class.
    static func capacity(for byteCount: Int) -> Int {
        if byteCount < threshold { return byteCount }
        let pages = (byteCount + pageSize - 1) / pageSize
        let top = Int.bitWidth - 1 - pages.leadingZeroBitCount  // 2^top ≤ pages
        guard top >= 2 else { return pages * pageSize }
        let quarter = 1 << (top - 2)
        return ((pages + quarter - 1) / quarter) * quarter * pageSize
    }

    /// A block of at least `byteCount` bytes, 64-byte aligned (page aligned when pooled), and its
    /// capacity, which ``release(_:capacity:)`` takes back: a cached block of the request's class,
    /// else the smallest cached one up to twice the request, else a new mapping. Throws
    /// ``TensorAllocationError`` when the kernel refuses the mapping (or the request is absurd), so
    /// that callers that can report the failure (model construction) do.
    static func allocate(byteCount: Int) throws(TensorAllocationError) -> (block: UnsafeMutableRawPointer, capacity: Int) {
        guard byteCount >= 0, byteCount <= largestRequest else { throw TensorAllocationError(byteCount: byteCount) }
        var size = capacity(for: byteCount)
        guard size >= threshold else { return (UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64), size) }
        var evicted: [(Int, UnsafeMutableRawPointer)] = []
        let reused: UnsafeMutableRawPointer? = state.withLock { s in
            let fit = s.free[size] != nil ? size : s.free.keys.lazy.filter { $0 > size && $0 <= 2 * size }.min()
            if let fit, let last = s.free[fit]?.popLast() {
                if s.free[fit]!.isEmpty { s.free[fit] = nil }
                s.cachedBytes -= fit
                s.liveBytes += fit
                s.highWater = max(s.highWater, s.liveBytes)
                size = fit
                return last.block
            }
            s.liveBytes += size
            s.highWater = max(s.highWater, s.liveBytes)
            while s.cachedBytes > s.highWater, let old = s.takeOldest() { evicted.append(old) }
            return nil
        }
        for (oldSize, block) in evicted { munmap(block, oldSize) }
        if let reused { return (reused, size) }
        guard let block = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), block != MAP_FAILED else {
            state.withLock { $0.liveBytes -= size }
            throw TensorAllocationError(byteCount: byteCount)
        }
        return (block, size)
    }

    /// Returns a block from ``allocate(byteCount:)`` to its size class.
    static func release(_ block: UnsafeMutableRawPointer, capacity size: Int) {
        guard size >= threshold else { return block.deallocate() }
        state.withLock { s in
            s.liveBytes -= size
            s.clock += 1
            s.free[size, default: []].append(Cached(block: block, stamp: s.clock))
            s.cachedBytes += size
        }
    }

    /// Unmaps every cached block (e.g. after a phase whose activations will not recur).
    static func trim() {
        var blocks: [(Int, UnsafeMutableRawPointer)] = []
        state.withLock { s in
            while let old = s.takeOldest() { blocks.append(old) }
        }
        for (size, block) in blocks { munmap(block, size) }
    }

    /// Bytes held in the cache now.
    static var cachedBytes: Int { state.withLock { $0.cachedBytes } }
}

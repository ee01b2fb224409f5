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
/// them, and the process grew ≈ 40 % above its live tensors in an RTD pretraining run. Here a
/// block returns to its own size class; the classes are powers of two split in four (at most
/// 25 % rounding, untouched pages stay unbacked) so that tensors whose size varies from step to
/// step (masked-position logits) share blocks. Cached blocks never exceed the peak of live tensor
/// bytes; beyond that they go back to the kernel.
enum BufferPool {
    /// Requests below this size come from the C heap.
    static let threshold = 256 << 10

    private struct State {
        var free: [Int: [UnsafeMutableRawPointer]] = [:]
        var cachedBytes = 0
    }

    private static let state = Mutex(State())
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// The bytes a request of `byteCount` occupies: its size class.
    static func capacity(for byteCount: Int) -> Int {
        if byteCount < threshold { return byteCount }
        let pages = (byteCount + pageSize - 1) / pageSize
        let top = Int.bitWidth - 1 - pages.leadingZeroBitCount  // 2^top ≤ pages
        guard top >= 2 else { return pages * pageSize }
        let quarter = 1 << (top - 2)
        return ((pages + quarter - 1) / quarter) * quarter * pageSize
    }

    /// A block of `capacity(for: byteCount)` bytes, 64-byte aligned (page aligned when pooled).
    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = capacity(for: byteCount)
        guard size >= threshold else { return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64) }
        let reused: UnsafeMutableRawPointer? = state.withLock { s in
            guard let block = s.free[size]?.popLast() else { return nil }
            s.cachedBytes -= size
            return block
        }
        if let reused { return reused }
        guard let block = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), block != MAP_FAILED else {
            fatalError("out of memory: could not map \(size >> 20) MiB for a tensor")
        }
        return block
    }

    /// Returns a block from ``allocate(byteCount:)``; `cacheLimit` caps the bytes kept for reuse.
    static func release(_ block: UnsafeMutableRawPointer, byteCount: Int, cacheLimit: Int) {
        let size = capacity(for: byteCount)
        guard size >= threshold else { return block.deallocate() }
        let kept = state.withLock { s in
            guard s.cachedBytes + size <= cacheLimit else { return false }
            s.free[size, default: []].append(block)
            s.cachedBytes += size
            return true
        }
        if !kept { munmap(block, size) }
    }

    /// Unmaps every cached block (e.g. after a phase whose activations will not recur).
    static func trim() {
        let blocks = state.withLock { s in
            defer { s.free = [:]; s.cachedBytes = 0 }
            return s.free.flatMap { size, list in list.map { (size, $0) } }
        }
        for (size, block) in blocks { munmap(block, size) }
    }

    /// Bytes held in the cache now.
    static var cachedBytes: Int { state.withLock { $0.cachedBytes } }
}

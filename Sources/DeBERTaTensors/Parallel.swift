import DeBERTaKernels
import Foundation

/// Splits loops over the machine's cores; one budget shared with BLAS (see ``Threading``).
public enum Parallel {
    /// Runs `body` over `0..<count` in contiguous chunks, on up to ``Threading/workers`` threads,
    /// when each chunk would get at least `grain` iterations; otherwise runs inline.
    @inlinable
    public static func forEach(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        let workers = min(Threading.workers, count / max(grain, 1))
        if workers <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let chunk = (count + workers - 1) / workers
        perform(workers) { w in
            let start = w * chunk
            let end = min(count, start + chunk)
            if start < end { body(start..<end) }
        }
    }
}

extension Parallel {
    /// Runs `body(0) … body(count − 1)` concurrently on the caller and the worker pool (at most
    /// ``Threading/workers`` threads) and returns when all have run. The pool's workers stay
    /// awake for a moment between loops, so a loop starts without the thread wake-up that
    /// Dispatch's `concurrentPerform` paid every time (see BENCHMARKS.md, "Worker pool").
    public static func perform(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1, Threading.workers > 1 else {
            for i in 0..<max(count, 0) { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { pointer in
                ck_pool_run(Int32(clamping: count), Int32(clamping: Threading.workers), { context, index in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(index))
                }, pointer)
            }
        }
    }
}

/// The thread budget for our own kernels and for BLAS.
public enum Threading {
    /// Worker threads used by ``Parallel``; defaults to the active processor count.
    nonisolated(unsafe) public static var workers: Int = {
        if let s = ProcessInfo.processInfo.environment["DEBERTA_NUM_THREADS"], let n = Int(s), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }()

    /// Sets the worker count to `n`: our kernels and the blocks of large matrix products share it
    /// (BLAS itself stays single-threaded; see ``BLAS``).
    public static func setThreads(_ n: Int) {
        workers = max(1, n)
    }
}

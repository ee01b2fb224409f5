import Dispatch
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
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let start = w * chunk
            let end = min(count, start + chunk)
            if start < end { body(start..<end) }
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

import Foundation
import DeBERTaTensors
import XCTest

/// The worker pool behind `Parallel`: every task runs exactly once per loop, however loops follow
/// each other, nest, or arrive from several threads at once.
final class ParallelTests: XCTestCase {
    private var savedWorkers = 0

    override func setUp() {
        savedWorkers = Threading.workers
        Threading.setThreads(4)  // more threads than this machine's cores: exercises oversubscription
    }

    override func tearDown() { Threading.setThreads(savedWorkers) }

    func testEveryTaskRunsOnceInThousandsOfBackToBackLoops() {
        for count in [2, 3, 4, 7] {
            var runs = [Int](repeating: 0, count: count)
            runs.withUnsafeMutableBufferPointer { runs in
                for _ in 0..<2_000 { Parallel.perform(count) { runs[$0] += 1 } }
            }
            XCTAssertEqual(runs, [Int](repeating: 2_000, count: count), "count \(count)")
        }
    }

    func testLoopReturnsOnlyAfterItsTasksFinished() {
        var values = [Int](repeating: 0, count: 4)
        values.withUnsafeMutableBufferPointer { values in
            for round in 1...200 {
                Parallel.perform(4) { i in
                    if i == 3 { usleep(50) }  // a late task must still be counted before the return
                    values[i] = round
                }
                XCTAssertEqual(Array(values), [round, round, round, round])
            }
        }
    }

    func testNestedLoopsRunInline() {
        var cells = [Int](repeating: 0, count: 12)
        cells.withUnsafeMutableBufferPointer { cells in
            Parallel.perform(3) { outer in
                Parallel.perform(4) { inner in cells[outer * 4 + inner] += outer * 4 + inner + 1 }
            }
        }
        XCTAssertEqual(cells, Array(1...12))
    }

    func testLoopsFromSeveralThreadsAtOnce() {
        let callers = 4, loops = 300
        let totals = UnsafeMutablePointer<Int>.allocate(capacity: callers * 3)
        totals.initialize(repeating: 0, count: callers * 3)
        defer { totals.deallocate() }
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            for _ in 0..<loops { Parallel.perform(3) { totals[caller * 3 + $0] += 1 } }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: totals, count: callers * 3)),
                       [Int](repeating: loops, count: callers * 3))
    }

    func testForEachCoversTheRangeInChunks() {
        var seen = [Int](repeating: 0, count: 1_001)
        seen.withUnsafeMutableBufferPointer { seen in
            Parallel.forEach(1_001) { range in for i in range { seen[i] += 1 } }
        }
        XCTAssertEqual(seen, [Int](repeating: 1, count: 1_001))
    }
}

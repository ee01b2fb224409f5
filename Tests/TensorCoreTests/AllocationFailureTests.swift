import XCTest
@testable import DeBERTaTensors

/// A tensor too large for the machine is a thrown ``TensorAllocationError`` on the throwing path
/// (model construction), where the allocator used to stop the process ("Fatal error: out of memory:
/// could not map … MiB for a tensor").
final class AllocationFailureTests: XCTestCase {
    /// 2⁵⁰ bytes: more than the 2⁴⁷-byte address space of a user process on x86-64 and arm64, so
    /// the kernel refuses the mapping whatever its overcommit policy.
    let impossibleBytes = 1 << 50

    func testAnUnmappableTensorThrowsNamingItsSize() throws {
        let live = TensorStorage.liveBytes
        XCTAssertThrowsError(try TensorStorage(allocatingCount: impossibleBytes / 4)) { error in
            XCTAssertEqual(error as? TensorAllocationError, TensorAllocationError(byteCount: impossibleBytes))
            XCTAssertEqual("\(error)", "out of memory for a tensor of 1125899906842624 bytes")
        }
        XCTAssertEqual(TensorStorage.liveBytes, live, "a failed allocation holds nothing")
        // Allocation goes on working, through the pool as before.
        let t = try Tensor(allocatingShape: [512, 1024])
        t.data.initialize(repeating: 2, count: t.count)
        XCTAssertEqual(t.scalars.reduce(0, +), 2 * 512 * 1024)
    }

    func testRequestsBeyondAnyMachineFailBeforeTheSizeClassArithmetic() {
        // Just below Int.max: rounding up to pages and size classes would overflow.
        XCTAssertThrowsError(try TensorStorage(allocatingCount: Int.max / 4 - 1)) { error in
            XCTAssertTrue("\(error)".hasPrefix("out of memory for a tensor of "), "\(error)")
        }
    }

    func testImpossibleShapesAreErrorsNotTraps() {
        XCTAssertThrowsError(try Tensor(allocatingShape: [1 << 40, 1 << 30])) { error in
            XCTAssertTrue("\(error)".contains("the element count of shape [1099511627776, 1073741824] overflows"), "\(error)")
        }
        XCTAssertThrowsError(try Tensor(allocatingShape: [1 << 61])) { error in
            XCTAssertTrue("\(error)".contains("overflow a 64-bit byte count"), "\(error)")
        }
        XCTAssertThrowsError(try Tensor(allocatingShape: [4, -1])) { error in
            XCTAssertTrue("\(error)".contains("negative extent in shape [4, -1]"), "\(error)")
        }
        XCTAssertThrowsError(try TensorStorage(allocatingCount: -3)) { error in
            XCTAssertTrue("\(error)".contains("negative element count -3"), "\(error)")
        }
    }

    func testFillsMatchTheRandomConstructors() throws {
        let t = try Tensor(allocatingShape: [3, 5])
        t.fillRandomNormal(std: 0.5, key: 42)
        XCTAssertEqual(t.scalars, Tensor.randomNormal([3, 5], std: 0.5, key: 42).scalars)
        t.fillRandomUniform(low: -1, high: 2, key: 7)
        XCTAssertEqual(t.scalars, Tensor.randomUniform([3, 5], low: -1, high: 2, key: 7).scalars)
    }
}

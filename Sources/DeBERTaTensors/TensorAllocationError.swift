/// The memory for a tensor could not be had: the kernel refused the mapping, the size in bytes
/// overflows a machine word, or a shape has a negative extent.
///
/// Model construction throws it (see ``TensorStorage/init(allocatingCount:)``); the operations of a
/// forward pass, which cannot throw, stop the process with the same message.
public struct TensorAllocationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The bytes requested; nil when the request could not be counted in bytes.
    public let byteCount: Int?
    /// Why a request without a byte count failed.
    private let problem: String?

    /// A failure to allocate `byteCount` bytes.
    public init(byteCount: Int) {
        self.byteCount = byteCount
        problem = nil
    }

    private init(problem: String) {
        byteCount = nil
        self.problem = problem
    }

    public var description: String {
        if let problem { return "cannot allocate a tensor: \(problem)" }
        return "out of memory for a tensor of \(byteCount ?? 0) bytes"
    }

    /// The bytes of `count` float32 values (at least one value's), or the error when that overflows.
    static func floatBytes(_ count: Int) throws(TensorAllocationError) -> Int {
        guard count >= 0 else { throw TensorAllocationError(problem: "negative element count \(count)") }
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard !overflow else { throw TensorAllocationError(problem: "\(count) float32 values overflow a 64-bit byte count") }
        return bytes
    }

    /// The element count of `shape`, or the error when an extent is negative or the product overflows.
    public static func elementCount(_ shape: [Int]) throws(TensorAllocationError) -> Int {
        var count = 1
        for extent in shape {
            guard extent >= 0 else { throw TensorAllocationError(problem: "negative extent in shape \(shape)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw TensorAllocationError(problem: "the element count of shape \(shape) overflows a 64-bit integer") }
            count = product
        }
        return count
    }
}

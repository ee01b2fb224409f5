import DeBERTaTestSupport
import XCTest
@testable import DeBERTaTensors

/// `BLAS.gemmBF16` against a Double-precision product of the same bfloat16 values: the only
/// error left is float32 accumulation, bounded relative to Σ|a||b|.
final class GemmBF16Tests: XCTestCase {
    /// Stored matrix of `rows` × `cols` with row stride `ld` (padding filled with NaN, which
    /// must never be read).
    struct Stored {
        var values: [Float]
        let rows, cols, ld: Int
        init(rows: Int, cols: Int, ld: Int, seed: UInt64) {
            self.rows = rows; self.cols = cols; self.ld = ld
            let v = roundedToBF16(randomValues(rows * cols, seed: seed))
            values = [Float](repeating: .nan, count: rows * ld)
            for r in 0..<rows { for c in 0..<cols { values[r * ld + c] = v[r * cols + c] } }
        }
        func at(_ r: Int, _ c: Int) -> Float { values[r * ld + c] }
        var bits: [UInt16] { values.map(BFloat16.bits) }
    }

    /// Runs one product and compares every element with the reference.
    func check(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, pad: Int, alpha: Float = 1, beta: Float = 0,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let a = transA ? Stored(rows: k, cols: m, ld: m + pad, seed: 1) : Stored(rows: m, cols: k, ld: k + pad, seed: 1)
        let b = transB ? Stored(rows: n, cols: k, ld: k + pad + 1, seed: 2) : Stored(rows: k, cols: n, ld: n + pad + 1, seed: 2)
        let ldc = n + pad + 2
        let c0 = randomValues(m * ldc, seed: 3)
        var c = c0
        try BLAS.gemmBF16(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                          a: a.bits, lda: a.ld, b: b.bits, ldb: b.ld, beta: beta, c: &c, ldc: ldc)
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let x = Double(transA ? a.at(p, i) : a.at(i, p)), y = Double(transB ? b.at(j, p) : b.at(p, j))
                    exact += x * y
                    magnitude += abs(x * y)
                }
                let expected = Double(alpha) * exact + Double(beta) * Double(c0[i * ldc + j])
                let bound = 1e-5 * (Double(abs(alpha)) * magnitude + Double(abs(beta) * abs(c0[i * ldc + j]))) + 1e-30
                worst = max(worst, abs(Double(c[i * ldc + j]) - expected) / bound)
            }
            for j in n..<ldc { XCTAssertEqual(c[i * ldc + j], c0[i * ldc + j], "padding of C written", file: file, line: line) }
        }
        XCTAssertLessThanOrEqual(worst, 1, "transA \(transA) transB \(transB) \(m)×\(n)×\(k): error / bound", file: file, line: line)
    }

    func testAllTransposesOddSizesPaddedRows() throws {
        try requireOneDNN()
        for transA in [false, true] {
            for transB in [false, true] {
                try check(transA: transA, transB: transB, m: 37, n: 29, k: 53, pad: 3)
                try check(transA: transA, transB: transB, m: 5, n: 131, k: 300, pad: 5)
                try check(transA: transA, transB: transB, m: 1, n: 1, k: 7, pad: 0)
            }
        }
    }

    func testAlphaAndBeta() throws {
        try requireOneDNN()
        try check(transA: false, transB: true, m: 19, n: 23, k: 41, pad: 2, alpha: 0.5, beta: 1)
        try check(transA: true, transB: false, m: 19, n: 23, k: 41, pad: 2, alpha: -2, beta: 0.25)
    }

    func testInputsAreReadAsBFloat16() throws {
        try requireOneDNN()
        // 1 + 2^-9 is not a bfloat16 value; its pattern is rounded first, so 1·1 comes out exactly 1.
        let one = BFloat16.bits(1 + 1.0 / 512)
        XCTAssertEqual(one, 0x3F80)
        var c: [Float] = [0]
        try BLAS.gemmBF16(transA: false, transB: false, m: 1, n: 1, k: 1, a: [one], lda: 1, b: [BFloat16.bits(3)], ldb: 1, c: &c, ldc: 1)
        XCTAssertEqual(c, [3])
    }

    func testEdgeSizes() throws {
        try requireOneDNN()
        var c: [Float] = [1, 2, 3, 4]
        try BLAS.gemmBF16(transA: false, transB: false, m: 2, n: 2, k: 0, a: [], lda: 1, b: [], ldb: 2, beta: 0.5, c: &c, ldc: 2)
        XCTAssertEqual(c, [0.5, 1, 1.5, 2], "k = 0 leaves beta·C")
        try BLAS.gemmBF16(transA: false, transB: false, m: 0, n: 2, k: 3, a: [], lda: 3, b: [UInt16](repeating: 0, count: 6), ldb: 2, c: &c, ldc: 2)
        XCTAssertEqual(c, [0.5, 1, 1.5, 2], "m = 0 writes nothing")
    }

    func testErrorsSayHowToInstallOneDNN() {
        XCTAssertTrue(OneDNNError.unavailable("could not open libdnnl.so.2").description.contains("apt-get install libdnnl-dev"))
    }

    func testBadArgumentsThrow() throws {
        try requireOneDNN()
        var c = [Float](repeating: 0, count: 16)
        let a = [UInt16](repeating: 0x3F80, count: 16)
        XCTAssertThrowsError(try BLAS.gemmBF16(transA: false, transB: false, m: 2, n: 2, k: 4, a: a, lda: 3, b: a, ldb: 2, c: &c, ldc: 2)) {
            guard case OneDNNError.invalidArgument(let why) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(why.contains("lda 3"), why)
        }
        XCTAssertThrowsError(try BLAS.gemmBF16(transA: false, transB: false, m: -1, n: 2, k: 2, a: a, lda: 2, b: a, ldb: 2, c: &c, ldc: 2))
        XCTAssertThrowsError(try BLAS.gemmBF16(transA: false, transB: false, m: 2, n: 4, k: 2, a: a, lda: 2, b: a, ldb: 4, c: &c, ldc: 3))
    }

    func testPrimitivesAreCachedPerShape() throws {
        try requireOneDNN()
        let dnnl = try OneDNN.shared()
        let a = [UInt16](repeating: 0x3F80, count: 64 * 64)
        var c = [Float](repeating: 0, count: 64 * 64)
        try BLAS.gemmBF16(transA: false, transB: true, m: 61, n: 59, k: 57, a: a, lda: 64, b: a, ldb: 64, c: &c, ldc: 64)
        let before = dnnl.cachedPrimitiveCount
        for _ in 0..<3 {
            try BLAS.gemmBF16(transA: false, transB: true, m: 61, n: 59, k: 57, a: a, lda: 64, b: a, ldb: 64, c: &c, ldc: 64)
        }
        XCTAssertEqual(dnnl.cachedPrimitiveCount, before, "same shape, same primitive")
        try BLAS.gemmBF16(transA: false, transB: true, m: 61, n: 59, k: 56, a: a, lda: 64, b: a, ldb: 64, c: &c, ldc: 64)
        XCTAssertEqual(dnnl.cachedPrimitiveCount, before + 1)
        XCTAssertEqual(c[0], 56)
    }
}

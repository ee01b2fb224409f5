import XCTest
@testable import Training

final class PythonRandomTests: XCTestCase {
    /// Values printed by CPython 3.11: `random.Random(seed).random()` three times.
    func testMatchesCPython() {
        let expected: [(UInt64, [Double])] = [
            (0, [0.8444218515250481, 0.7579544029403025, 0.420571580830845]),
            (1, [0.13436424411240122, 0.8474337369372327, 0.763774618976614]),
            (42, [0.6394267984578837, 0.025010755222666936, 0.27502931836911926]),
            (8_589_934_597, [0.7416304072852293, 0.7193517101580886, 0.5679554902499137]),
        ]
        for (seed, values) in expected {
            var r = PythonRandom(seed: seed)
            XCTAssertEqual((0..<3).map { _ in r.random() }, values, "seed \(seed)")
        }
    }
}

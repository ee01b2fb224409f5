import DeBERTaPythonCompat
import Foundation
import DeBERTaTokenizers
import XCTest
@testable import DeBERTaPretraining

/// Integer draws and numpy's shuffle against values from Python (Scripts/make_pretraining_references.py).
final class PythonRandomTests: XCTestCase {
    func testIntegerDrawsMatchPython() throws {
        let ref = try jsonResource("python_random.json")
        var checked = 0
        for case let entry as [String: Any] in ref["getrandbits"] as! [Any] {
            var r = PythonRandom(seed: entry["seed"] as! Int)
            for (k, value) in zip(entry["bits"] as! [Int], entry["values"] as! [String]) {
                XCTAssertEqual(r.getrandbits(k), UInt64(value)!, "getrandbits(\(k)) seed \(entry["seed"]!)")
                checked += 1
            }
        }
        for case let entry as [String: Any] in ref["randint"] as! [Any] {
            var r = PythonRandom(seed: entry["seed"] as! Int)
            for (bounds, value) in zip(entry["bounds"] as! [[Int]], entry["values"] as! [Int]) {
                XCTAssertEqual(r.randint(bounds[0], bounds[1]), value)
                checked += 1
            }
        }
        for case let entry as [String: Any] in ref["choice"] as! [Any] {
            var r = PythonRandom(seed: entry["seed"] as! Int)
            for value in entry["values"] as! [Int] {
                XCTAssertEqual(r.choiceIndex(count: entry["count"] as! Int), value)
                checked += 1
            }
        }
        XCTAssertEqual(checked, 4 * (9 + 6 + 20))
    }

    func testNumpyShuffleMatchesRandomState0() throws {
        let ref = try jsonResource("python_random.json")["numpy_shuffle"] as! [String: [Int]]
        XCTAssertEqual(ref.count, 4)
        for (n, expected) in ref {
            XCTAssertEqual(NumpyShuffle.permutation(count: Int(n)!, seed: 0).map(Int.init), expected, "n = \(n)")
        }
    }
}

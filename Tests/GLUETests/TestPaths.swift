import Foundation
import DeBERTaGLUE
import XCTest

/// Locations used by the GLUE tests, found from this file's path (no bundle resources needed).
enum TestPaths {
    /// The package root: three levels above `Tests/GLUETests/TestPaths.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/data/glue` next to the package root.
    static let glueData = packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/data/glue")

    /// This test target's committed resource files.
    static let resources = packageRoot.appendingPathComponent("Tests/GLUETests/Resources")

    /// `../shared/data/glue/<relativePath>`, or an `XCTSkip` (with a printed reason) if it is absent.
    static func requireGLUE(_ relativePath: String) throws -> URL {
        let url = glueData.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            print("Skipping: GLUE data \(url.path) not found")
            throw XCTSkip("GLUE data \(url.path) not found")
        }
        return url
    }

    /// A fresh empty temporary directory, removed when the test ends.
    static func temporaryDirectory(_ testCase: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("GLUETests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Writes `bytes` to `directory/name` and returns the URL.
    @discardableResult
    static func write(_ bytes: [UInt8], to directory: URL, as name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// Writes `text` (UTF-8) to `directory/name` and returns the URL.
    @discardableResult
    static func write(_ text: String, to directory: URL, as name: String) throws -> URL {
        try write(Array(text.utf8), to: directory, as: name)
    }
}

/// How many examples carry each label string (class labels only), e.g. `["0": 322, "1": 721]`.
func labelCounts(_ examples: [GLUEExample], task: GLUETask) -> [String: Int] {
    var counts: [String: Int] = [:]
    for example in examples {
        if let index = example.label?.classIndex { counts[task.labels[index], default: 0] += 1 }
    }
    return counts
}

/// How many examples have an odd number of `"` in their texts (A and B together), as SOURCES.md counts
/// "rows with an unbalanced quote".
func unbalancedQuoteRows(_ examples: [GLUEExample]) -> Int {
    examples.filter { example in
        (example.textA + (example.textB ?? "")).filter { $0 == "\"" }.count % 2 == 1
    }.count
}

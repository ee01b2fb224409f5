import Foundation
import DeBERTaGLUE
import DeBERTaTestSupport
import XCTest

/// Locations used by the GLUE tests (Tests/References, through the test-support locator).
enum TestPaths {
    /// `Tests/References/data/glue`: the GLUE files the repository carries (all but MRPC).
    static let glueData = References.root.appendingPathComponent("data/glue")

    /// `Tests/References/samples/glue`: files written here in a GLUE layout (MRPC, whose own files
    /// may not be redistributed; see Tests/References/SOURCES.md).
    static let glueSamples = References.root.appendingPathComponent("samples/glue")

    /// This test target's committed resource files.
    static let resources = References.packageRoot.appendingPathComponent("Tests/GLUETests/Resources")

    /// `Tests/References/data/glue/<relativePath>`; throws (the test fails) when it is absent.
    static func requireGLUE(_ relativePath: String) throws -> URL {
        try References.url("data/glue/" + relativePath)
    }

    /// `Tests/References/samples/glue/<relativePath>`; throws (the test fails) when it is absent.
    static func requireGLUESample(_ relativePath: String) throws -> URL {
        try References.url("samples/glue/" + relativePath)
    }

    /// A fresh empty temporary directory, removed when the test ends.
    static func temporaryDirectory(_ testCase: XCTestCase) throws -> URL {
        try testCase.makeTemporaryDirectory(prefix: "GLUETests")
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

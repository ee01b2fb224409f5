import Foundation
import XCTest

/// Locations of the shared fixtures, found from this source file's path (no bundle resources needed).
enum FixturePaths {
    /// The package root: three levels above this file (`Tests/CheckpointTests/FixturePaths.swift`).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` next to the package root.
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// `../shared/fixtures`.
    static let fixtures = shared.appendingPathComponent("fixtures")

    /// This test target's committed resource files.
    static let resources = packageRoot.appendingPathComponent("Tests/CheckpointTests/Resources")

    /// The shared fixtures directory, or an `XCTSkip` explaining that it is absent.
    static func requireFixtures() throws -> URL {
        guard FileManager.default.fileExists(atPath: fixtures.path) else {
            print("Skipping: shared fixtures not found at \(fixtures.path)")
            throw XCTSkip("shared fixtures not found at \(fixtures.path)")
        }
        return fixtures
    }

    /// A file under `../shared` (e.g. tokenizer data), or an `XCTSkip` if it is absent.
    static func requireShared(_ relativePath: String) throws -> URL {
        let url = shared.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            print("Skipping: \(url.path) not found")
            throw XCTSkip("\(url.path) not found")
        }
        return url
    }
}

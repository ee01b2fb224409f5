import DeBERTaTestSupport
import Foundation

/// Locations of the reference files (Tests/References, through the test-support locator).
enum FixturePaths {
    /// This test target's committed resource files.
    static let resources = References.packageRoot.appendingPathComponent("Tests/CheckpointTests/Resources")

    /// `Tests/References/fixtures`; throws (the test fails) when it is absent.
    static func requireFixtures() throws -> URL { try References.url("fixtures") }

    /// A file under `Tests/References` (e.g. tokenizer data); throws (the test fails) when it is absent.
    static func requireShared(_ relativePath: String) throws -> URL { try References.url(relativePath) }
}

import Foundation

/// The reference files the tests compare against, carried by the repository in `Tests/References`
/// (provenance and checksums in `Tests/References/SOURCES.md`).
///
/// Every test finds them here, from this file's path, so the suite needs nothing outside the
/// repository. A missing file is an error naming it (the test fails), never a skip.
public enum References {
    /// The package root: three levels above `Tests/DeBERTaTestSupport/References.swift`.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/References`.
    public static let root = packageRoot.appendingPathComponent("Tests/References")

    /// The file or folder `Tests/References/<relativePath>`, e.g. `"fixtures/deberta-v3-tiny/config.json"`;
    /// throws ``MissingReference`` when it is absent.
    public static func url(_ relativePath: String) throws -> URL {
        try existing(root.appendingPathComponent(relativePath), named: "Tests/References/" + relativePath)
    }

    /// A fixture model folder `Tests/References/fixtures/<name>`, checked to hold its `config.json`.
    public static func fixture(_ name: String) throws -> URL {
        let folder = try url("fixtures/" + name)
        _ = try url("fixtures/\(name)/config.json")
        return folder
    }

    /// A file or folder of the package, `<package root>/<relativePath>` (a test target's own
    /// `Resources`, the bundled `Examples`); throws ``MissingReference`` when it is absent.
    public static func packageFile(_ relativePath: String) throws -> URL {
        try existing(packageRoot.appendingPathComponent(relativePath), named: relativePath)
    }

    /// `url` (a reference file or folder anywhere) when it exists; throws ``MissingReference`` otherwise.
    public static func existing(_ url: URL) throws -> URL {
        let root = packageRoot.path + "/"
        let name = url.path.hasPrefix(root) ? String(url.path.dropFirst(root.count)) : url.path
        return try existing(url, named: name)
    }

    private static func existing(_ url: URL, named name: String) throws -> URL {
        guard FileManager.default.fileExists(atPath: url.path) else { throw MissingReference(name: name, url: url) }
        return url
    }
}

/// A reference file the repository should carry is absent.
public struct MissingReference: Error, CustomStringConvertible, LocalizedError {
    public let name: String
    public let url: URL

    public var description: String {
        "missing reference file \(name) (looked for \(url.path)); the repository carries it: restore it with "
            + "`git checkout -- \(name)` (provenance in Tests/References/SOURCES.md)"
    }

    public var errorDescription: String? { description }
}

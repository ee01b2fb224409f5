import DeBERTaTensors
import Foundation
import XCTest

extension XCTestCase {
    /// A fresh empty temporary directory whose name starts with `prefix`, removed when the current test ends.
    public func makeTemporaryDirectory(prefix: String = "DeBERTaTests") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

/// Something the test needs besides the reference files (a system library, the built executable) is absent.
public struct MissingPrerequisite: Error, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ description: String) { self.description = description }
    public var errorDescription: String? { description }
}

/// oneDNN, which `make deps` installs: throws ``MissingPrerequisite`` (the test fails) when it cannot be opened.
public func requireOneDNN() throws {
    do {
        _ = try OneDNN.shared()
    } catch {
        throw MissingPrerequisite("oneDNN is not available (\(error)); `make deps` installs libdnnl")
    }
}

/// The built `deberta` executable (`swift build --build-tests` builds it); throws when it is absent.
public func debertaExecutable() throws -> URL {
    for configuration in ["debug", "release"] {
        let url = References.packageRoot.appendingPathComponent(".build/\(configuration)/deberta")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    throw MissingPrerequisite("the deberta executable is not built in \(References.packageRoot.path)/.build (`swift build --build-tests` builds it)")
}

import Foundation
import XCTest

/// The DocC catalog names files and specification sections; these checks fail when a file it names
/// moves or a section of the specification has no entry in the map.
final class DocumentationCatalogTests: XCTestCase {
    let catalog = packageRoot.appendingPathComponent("Sources/DeBERTa/DeBERTa.docc")

    func page(_ name: String) throws -> String {
        try String(contentsOf: catalog.appendingPathComponent(name), encoding: .utf8)
    }

    /// Backquoted paths of source files (`Foo/Bar.swift`, `X.c`) in a Markdown text.
    static func filePaths(_ text: String) -> [String] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
            .filter { !$0.contains(" ") && ($0.hasSuffix(".swift") || $0.hasSuffix(".c") || $0.hasSuffix(".h")) }
    }

    func testEveryFileTheCatalogNamesExists() throws {
        let pages = try FileManager.default.contentsOfDirectory(atPath: catalog.path).filter { $0.hasSuffix(".md") }.sorted()
        XCTAssertEqual(pages, ["Architecture.md", "DeBERTa.md", "GettingStarted.md", "LoadingByName.md", "SpecMap.md"])
        var checked = 0
        for name in pages {
            for path in Self.filePaths(try page(name)) {
                let candidates = [packageRoot.appendingPathComponent("Sources").appendingPathComponent(path), packageRoot.appendingPathComponent(path)]
                XCTAssertTrue(candidates.contains { FileManager.default.fileExists(atPath: $0.path) }, "\(name) names \(path), which does not exist")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 100, "the map and the walk-through name files")
    }

    /// The numbered sections (`## N.`) of the specification files, which the map must cover. The
    /// specification is not in the repository; where it lies beside it (`../shared/spec`), the test
    /// also checks that this list is still its table of contents.
    static let specSections = ["MODEL.md": 1...17, "CHECKPOINTS.md": 1...7, "TOKENIZERS.md": 1...4, "GLUE.md": 1...6, "PRETRAINING.md": 1...7]

    func testTheSpecMapCoversEverySection() throws {
        let map = try page("SpecMap.md")
        for (file, sections) in Self.specSections.sorted(by: { $0.key < $1.key }) {
            XCTAssertTrue(map.contains("## \(file)"), "SpecMap.md has no part for \(file)")
            let part = map.components(separatedBy: "## \(file)").last!.components(separatedBy: "\n## ").first!
            for n in sections {
                let cited = part.range(of: "§\(n)(?![0-9])", options: .regularExpression) != nil
                XCTAssertTrue(cited, "SpecMap.md does not map \(file) §\(n)")
            }
        }
    }

    func testTheSectionListIsTheSpecificationsWhereItIsPresent() throws {
        var folder = packageRoot
        var spec: URL?
        while spec == nil && folder.pathComponents.count > 1 {
            folder = folder.deletingLastPathComponent()
            let candidate = folder.appendingPathComponent("shared/spec")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("MODEL.md").path) { spec = candidate }
        }
        guard let spec else { return }  // a clone without the project's shared folder: the list above stands
        for (file, sections) in Self.specSections {
            let headings = try String(contentsOf: spec.appendingPathComponent(file), encoding: .utf8).split(separator: "\n")
                .filter { $0.hasPrefix("## ") }
                .compactMap { line in line.dropFirst(3).split(separator: ".").first.flatMap { Int($0) } }
            XCTAssertEqual(headings, Array(sections), "\(file)'s numbered sections changed; update specSections and SpecMap.md")
        }
    }

    func testFilePathExtraction() {
        XCTAssertEqual(Self.filePaths("a `X/Y.swift` and `Z.c`, not `make test` or `a b.swift`"), ["X/Y.swift", "Z.c"])
    }
}

import Foundation
import XCTest

/// README.md's Swift examples compile because Examples/ReadmeExamples/main.swift (an executable
/// target every build compiles) holds each of them verbatim; this test keeps the two in step.
final class ReadmeExamplesTests: XCTestCase {
    /// The ```swift blocks of a Markdown text, without their fences.
    static func swiftBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil {
                if line.trimmingCharacters(in: .whitespaces) == "```swift" { current = [] }
            } else if line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current!.append(line)
            }
        }
        return blocks
    }

    func testEveryReadmeSwiftBlockIsInTheCompiledExamples() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let compiled = try String(contentsOf: packageRoot.appendingPathComponent("Examples/ReadmeExamples/main.swift"), encoding: .utf8)
        let blocks = Self.swiftBlocks(readme)
        XCTAssertGreaterThanOrEqual(blocks.count, 3, "the Library section's examples: classify, load and tokenize, fill-mask")
        for (k, block) in blocks.enumerated() {
            XCTAssertTrue(compiled.contains(block + "\n"),
                          "README.md's Swift block \(k + 1) is not in Examples/ReadmeExamples/main.swift, so it is not compiled:\n\(block)")
        }
        XCTAssertTrue(blocks.contains { $0.contains("TextClassifier(folder:") }, "the README shows classification by folder")
        XCTAssertTrue(blocks.contains { $0.contains("FillMask(") }, "the README shows fill-mask")
    }

    func testBlockExtraction() {
        let markdown = "text\n```swift\nlet a = 1\n\nlet b = 2\n```\n```sh\nmake\n```\n```swift\nprint(a)\n```\n"
        XCTAssertEqual(Self.swiftBlocks(markdown), ["let a = 1\n\nlet b = 2", "print(a)"])
    }
}

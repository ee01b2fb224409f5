import Foundation
import DeBERTaGLUE
import DeBERTaTestSupport
import XCTest

/// Every real GLUE file here reads exactly as the original app reads it: same number of examples and the
/// same texts and labels, compared through a hash made by Scripts/make_glue_read_references.py with
/// Python's `csv.reader(delimiter='\t', quotechar=None)` and the original's column choices.
final class RealDataDigestTests: XCTestCase {
    struct Reference: Decodable {
        let task: String
        let split: String
        let file: String
        let count: Int
        let fnv1a64: String
    }

    struct ReferenceList: Decodable { let files: [Reference] }

    /// MRPC's files are not in the repository (their licence forbids redistribution; SOURCES.md): the
    /// digests of `../shared` stay in the reference file, and the MRPC layout is checked on the samples.
    static let notCarried: Set<String> = ["MRPC/train.tsv", "MRPC/dev.tsv", "MRPC/test.tsv"]

    func testEveryFileMatchesThePythonReading() throws {
        let url = TestPaths.resources.appendingPathComponent("glue_read_references.json")
        let references = try JSONDecoder().decode(ReferenceList.self, from: Data(contentsOf: url)).files
        XCTAssertEqual(references.count, 19)
        let carried = references.filter { !Self.notCarried.contains($0.file) }
        XCTAssertEqual(carried.count, 16)
        XCTAssertEqual(try check(carried, in: "data/glue/"), 16)
    }

    /// The MRPC-layout samples, digests by the same script (`make_glue_read_references.py Tests/References/samples/glue`).
    func testMRPCSamplesMatchThePythonReading() throws {
        let url = TestPaths.resources.appendingPathComponent("mrpc_sample_read_references.json")
        let references = try JSONDecoder().decode(ReferenceList.self, from: Data(contentsOf: url)).files
        XCTAssertEqual(references.count, 3)
        XCTAssertEqual(try check(references, in: "samples/glue/"), 3)
    }

    /// Reads every file of `references` under `Tests/References/<folder>`; returns how many were compared.
    private func check(_ references: [Reference], in folder: String) throws -> Int {
        var checked = 0
        for reference in references {
            let file = try References.url(folder + reference.file)
            let task = try GLUETask(name: reference.task)
            let split = try XCTUnwrap(GLUESplit(rawValue: reference.split))
            let examples = try task.examples(split: split, file: file)
            XCTAssertEqual(examples.count, reference.count, reference.file)
            XCTAssertEqual(String(digest(examples, task: task), radix: 16).leftPadded(to: 16), reference.fnv1a64,
                           reference.file)
            checked += 1
        }
        print("checked \(checked) GLUE files in \(folder) against the Python reading")
        return checked
    }

    /// FNV-1a (64-bit) over `textA \u{1F} textB \u{1F} label \u{1E}` of every example.
    private func digest(_ examples: [GLUEExample], task: GLUETask) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for example in examples {
            let label: String
            switch example.label {
            case .classIndex(let index)?: label = task.labels[index]
            case .score(let value)?: label = "\(value)"
            case nil: label = ""
            }
            for byte in (example.textA + "\u{1F}" + (example.textB ?? "") + "\u{1F}" + label + "\u{1E}").utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
        }
        return hash
    }
}

private extension String {
    func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}

import DeBERTaTestSupport
import Foundation
import XCTest

/// `deberta predict`: JSON lines of pipeline arguments in, the answers of transformers' pipelines
/// out (Tests/References/pipelines), and errors that name the line.
final class PredictCommandTests: XCTestCase {
    let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("predict-\(getpid())-\(UUID().uuidString)")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: temporary)
    }

    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = try Executable.binary()
        p.arguments = ["predict"] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// The reference file's inputs as an input file, and its outputs' raw JSON texts.
    func references(_ name: String) throws -> (input: URL, outputs: [String]) {
        let lines = try String(contentsOf: References.url("pipelines/\(name)"), encoding: .utf8).split(separator: "\n").map(String.init)
        var inputs: [String] = [], outputs: [String] = []
        for line in lines {
            let output = try XCTUnwrap(line.range(of: ", \"output\": "))
            inputs.append(String(line[line.index(line.startIndex, offsetBy: 10)..<output.lowerBound]))   // after {"input": 
            outputs.append(String(line[output.upperBound..<line.index(before: line.endIndex)]))
        }
        let url = temporary.appendingPathComponent(name)
        try (inputs.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return (url, outputs)
    }

    /// Same JSON shape and strings, numbers within `tolerance`, object keys in the same order.
    func assertSameAnswer(_ ours: String, _ theirs: String, tolerance: Double, _ context: String) throws {
        func keys(_ s: String) -> [String] {
            let pattern = try! NSRegularExpression(pattern: "\"([a-z_]+)\": ")
            return pattern.matches(in: s, range: NSRange(s.startIndex..., in: s)).map { String(s[Range($0.range(at: 1), in: s)!]) }
        }
        XCTAssertEqual(keys(ours), keys(theirs), context)
        func compare(_ a: Any, _ b: Any, _ path: String) {
            switch (a, b) {
            case let (x as [Any], y as [Any]):
                XCTAssertEqual(x.count, y.count, path)
                for (k, (u, v)) in zip(x, y).enumerated() { compare(u, v, "\(path)[\(k)]") }
            case let (x as [String: Any], y as [String: Any]):
                XCTAssertEqual(Set(x.keys), Set(y.keys), path)
                for (k, u) in x { if let v = y[k] { compare(u, v, "\(path).\(k)") } }
            case let (x as String, y as String): XCTAssertEqual(x, y, path)
            case let (x as NSNumber, y as NSNumber): XCTAssertEqual(x.doubleValue, y.doubleValue, accuracy: tolerance, path)
            default: XCTFail("\(path): \(a) vs \(b)")
            }
        }
        compare(try JSONSerialization.jsonObject(with: Data(ours.utf8)), try JSONSerialization.jsonObject(with: Data(theirs.utf8)), context)
    }

    func check(task: String, model: String, reference: String, extra: [String] = []) throws {
        let (input, expected) = try references(reference)
        let output = temporary.appendingPathComponent("out-\(reference)")
        let result = try run(["--task", task, "--model", model, "--input", input.path, "--output", output.path] + extra)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, expected.count)
        for (k, (ours, theirs)) in zip(lines, expected).enumerated() {
            try assertSameAnswer(ours, theirs, tolerance: 1e-5, "\(reference) line \(k + 1)")
        }
    }

    func testTextClassificationLinesMatchTransformers() throws {
        try check(task: "text-classification", model: Executable.packageRoot.appendingPathComponent("Examples/deberta-v3-h256-sst2").path,
                  reference: "text-classification.jsonl")
    }

    func testZeroShotLinesMatchTransformers() throws {
        try check(task: "zero-shot-classification", model: try References.url("pipelines/tiny-nli").path, reference: "zero-shot.jsonl")
    }

    func testFillMaskLinesMatchTransformers() throws {
        try check(task: "fill-mask", model: try References.fixture("deberta-v3-tiny").path, reference: "fill-mask.jsonl",
                  extra: ["--tokenizer", try References.url("pipelines/tiny-nli").path])
    }

    func testFeatureExtractionAndTextOption() throws {
        let sst2 = Executable.packageRoot.appendingPathComponent("Examples/deberta-v3-h256-sst2").path
        try check(task: "feature-extraction", model: sst2, reference: "feature-extraction.jsonl")
        let result = try run(["--task", "sentiment-analysis", "--model", sst2, "--text", "What a delight!", "--top-k", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let (_, expected) = try references("text-classification.jsonl")
        XCTAssertTrue(result.stdout.hasPrefix("[{\"label\": \"positive\", \"score\": 0.99078"), result.stdout)
        XCTAssertEqual(expected.count, 19)
    }

    func testErrorsNameTheLineAndNothingIsWritten() throws {
        let sst2 = Executable.packageRoot.appendingPathComponent("Examples/deberta-v3-h256-sst2").path
        let output = temporary.appendingPathComponent("never.jsonl")
        func failure(_ lines: [String], task: String = "text-classification") throws -> String {
            let input = temporary.appendingPathComponent("bad.jsonl")
            try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
            let result = try run(["--task", task, "--model", sst2, "--input", input.path, "--output", output.path])
            XCTAssertEqual(result.status, 1)
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "no output after an error")
            return result.stderr
        }
        let good = #"{"text": "Fine."}"#
        XCTAssertTrue(try failure([good, #"{"text": "x", "#]).contains("bad.jsonl line 2: malformed JSON"))
        XCTAssertTrue(try failure([good, good, #"{"text": 3}"#]).contains("line 3: \"text\" must be a string"))
        XCTAssertTrue(try failure([#"{"text_pair": "x"}"#]).contains("line 1: missing \"text\""))
        XCTAssertTrue(try failure([#"{"text": "x", "top_k": true}"#]).contains("line 1: \"top_k\" must be a positive integer or null"))
        XCTAssertTrue(try failure([#"{"text": "x", "function_to_apply": "tanh"}"#]).contains("line 1: function_to_apply \"tanh\""))
        XCTAssertTrue(try failure([#"{"txt": "x"}"#]).contains("line 1: unknown argument \"txt\""))
        XCTAssertTrue(try failure([#"["x"]"#]).contains("line 1: expected a JSON object"))
        let model = try References.url("pipelines/tiny-nli").path
        let input = temporary.appendingPathComponent("zs.jsonl")
        try #"{"sequences": "t5", "candidate_labels": [1, 2]}"#.write(to: input, atomically: true, encoding: .utf8)
        var result = try run(["--task", "zero-shot-classification", "--model", model, "--input", input.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("line 1: \"candidate_labels\" must be a string or a list of strings"), result.stderr)
        try #"{"sequences": "t5"}"#.write(to: input, atomically: true, encoding: .utf8)
        result = try run(["--task", "zero-shot-classification", "--model", model, "--input", input.path])
        XCTAssertTrue(result.stderr.contains("line 1: missing \"candidate_labels\""), result.stderr)
        result = try run(["--task", "summarization", "--model", model, "--text", "x"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("unknown task \"summarization\""), result.stderr)
    }
}

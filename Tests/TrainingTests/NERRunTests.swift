@testable import DeBERTaFineTuning
import DeBERTaModeling
import DeBERTaTestSupport
import Foundation
import XCTest

/// `--task_name NER` end to end on small CoNLL files written here: eval_results.jsonl with
/// seqeval's metrics, predictions in CoNLL layout, a model folder transformers' token
/// classification loads; and bad input that stops the run before it writes anything.
final class NERRunTests: XCTestCase {
    /// Dev and test sentences, written for this test.
    let devSentences: [(words: [String], tags: [String])] = [
        (["Maria", "Lopez", "flew", "to", "Madrid", "."], ["B-PER", "I-PER", "O", "O", "B-LOC", "O"]),
        (["Siemens", "hired", "engineers", "in", "Munich", "and", "Vienna", "."], ["B-ORG", "O", "O", "O", "B-LOC", "O", "B-LOC", "O"]),
        (["The", "Olympic", "Games", "return", "to", "Los", "Angeles", "."], ["O", "B-MISC", "I-MISC", "O", "O", "B-LOC", "I-LOC", "O"]),
    ]
    let testSentences: [(words: [String], tags: [String])] = [
        (["John", "Smith", "joined", "Google", "."], ["B-PER", "I-PER", "O", "B-ORG", "O"]),
        (["Berlin", "hosts", "the", "Berlinale", "."], ["B-LOC", "O", "O", "B-MISC", "O"]),
    ]

    /// CoNLL-2003's layout: `word POS chunk tag` (POS and chunk are placeholders here), a
    /// `-DOCSTART-` line before each document.
    func conll(_ documents: [[(words: [String], tags: [String])]], labelled: Bool = true) -> String {
        var text = ""
        for document in documents {
            text += labelled ? "-DOCSTART- -X- O O\n\n" : "-DOCSTART-\n\n"
            for sentence in document {
                for (w, t) in zip(sentence.words, sentence.tags) { text += labelled ? "\(w) X X \(t)\n" : "\(w)\n" }
                text += "\n"
            }
        }
        return text
    }

    func tinyConfiguration(in folder: URL) throws -> URL {
        var config = DeBERTaConfiguration(modelType: "deberta-v2")
        config.vocabSize = 8064; config.hiddenSize = 16; config.numHiddenLayers = 1; config.numAttentionHeads = 2
        config.intermediateSize = 32; config.relativeAttention = true; config.positionBuckets = 16
        config.maxRelativePositions = 64; config.posAttType = ["p2c", "c2p"]; config.positionBiasedInput = false
        config.shareAttKey = true; config.normRelEbd = "layer_norm"; config.typeVocabSize = 0
        let url = folder.appendingPathComponent("config.json")
        try JSONEncoder().encode(config).write(to: url)
        return url
    }

    /// The sentences of a predictions file: (word, gold, predicted) per line.
    func readPredictions(_ url: URL) throws -> [[(word: String, gold: String, predicted: String)]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("\n") && !text.hasSuffix("\n\n"), "one blank line between sentences, none at the end")
        return text.dropLast().components(separatedBy: "\n\n").map { block in
            block.split(separator: "\n").map { line in
                let f = line.split(separator: " ").map(String.init)
                XCTAssertEqual(f.count, 3, "\(line)")
                return (f[0], f[1], f[2])
            }
        }
    }

    func testRunWritesMetricsPredictionsAndATokenClassificationModel() throws {
        let tmp = try makeTemporaryDirectory(prefix: "deberta-ner")
        let data = tmp.appendingPathComponent("data"), out = tmp.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let train = Array(nerTestSentences.prefix(4)), trainB = Array(nerTestSentences.suffix(4))
        try conll([train, trainB]).write(to: data.appendingPathComponent("train.txt"), atomically: true, encoding: .utf8)
        try conll([devSentences]).write(to: data.appendingPathComponent("valid.txt"), atomically: true, encoding: .utf8)
        try conll([testSentences]).write(to: data.appendingPathComponent("test.txt"), atomically: true, encoding: .utf8)

        var o = FineTuningOptions(taskName: "NER", dataDirectory: data, outputDirectory: out)
        o.doTrain = true; o.doEval = true; o.doPredict = true
        o.modelConfig = try tinyConfiguration(in: tmp).path
        o.vocabPath = try References.packageFile("Examples/deberta-v3-h256-rtd")
        o.maxSequenceLength = 32
        o.trainBatchSize = 3
        o.epochs = 2
        o.training.learningRate = 1e-3
        let records = try FineTuningTasks.run(o)

        // 8 sentences in 2 documents, at most 30 sub-tokens a feature: 10 features (0 | 1 | 2 in two |
        // 3 in two ‖ 4 + 5 | 6 | 7 in two) → 4 steps an epoch, 10 · 2 / 3 → 6 steps; dev at the
        // epoch's end and the last step, test once at the end.
        XCTAssertEqual(records.map(\.split), ["dev", "dev", "test"])
        XCTAssertEqual(records.map(\.step), [4, 6, 6])
        let lines = try String(contentsOf: out.appendingPathComponent("eval_results.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        for (line, record) in zip(lines, records) {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            XCTAssertEqual(Set(object.keys), ["step", "epoch", "split", "precision", "recall", "f1", "accuracy", "eval_metric", "examples"])
            XCTAssertEqual(object["f1"] as? Double, record.metrics["f1"])
            XCTAssertEqual(record.metrics["eval_metric"], record.metrics["f1"])
        }
        XCTAssertEqual(records[0].metrics["examples"], 3)

        // Every word of dev and test in order, with its gold tag; the file scores as recorded.
        for (name, sentences, record) in [("dev", devSentences, records[1]), ("test", testSentences, records[2])] {
            let written = try readPredictions(out.appendingPathComponent("predictions_\(name).txt"))
            XCTAssertEqual(written.map { $0.map(\.word) }, sentences.map(\.words), name)
            XCTAssertEqual(written.map { $0.map(\.gold) }, sentences.map(\.tags), name)
            XCTAssertTrue(written.joined().allSatisfy { NERTask.defaultLabels.contains($0.predicted) })
            let s = try EntityMetrics.score(gold: written.map { $0.map(\.gold) }, predicted: written.map { $0.map(\.predicted) })
            XCTAssertEqual([s.precision, s.recall, s.f1, s.accuracy],
                           ["precision", "recall", "f1", "accuracy"].map { record.metrics[$0]! }, name)
        }

        // model/: what transformers' AutoModelForTokenClassification reads.
        let folder = out.appendingPathComponent("model")
        let saved = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
        XCTAssertEqual(saved.architectures, ["DebertaV2ForTokenClassification"])
        XCTAssertEqual(saved.numLabels, 9)
        XCTAssertEqual(saved.id2label, Dictionary(uniqueKeysWithValues: NERTask.defaultLabels.enumerated().map { ("\($0.offset)", $0.element) }))
        let (reloaded, report) = try DeBERTaModel.load(from: folder)
        XCTAssertEqual(reloaded.head, .tokenClassification(numLabels: 9))
        XCTAssertTrue(report.unexpected.isEmpty && report.initialized.isEmpty)

        // The saved model, predicting an unlabelled copy of test (one column): the same tags, gold `O`.
        let unlabelled = tmp.appendingPathComponent("unlabelled"), out2 = tmp.appendingPathComponent("out2")
        try FileManager.default.createDirectory(at: unlabelled, withIntermediateDirectories: true)
        try conll([testSentences], labelled: false).write(to: unlabelled.appendingPathComponent("test.txt"), atomically: true, encoding: .utf8)
        var p = FineTuningOptions(taskName: "ner", dataDirectory: unlabelled, outputDirectory: out2)
        p.doPredict = true
        p.preTrained = folder
        p.maxSequenceLength = 32
        XCTAssertEqual(try FineTuningTasks.run(p), [], "nothing to score without gold tags")
        let first = try readPredictions(out.appendingPathComponent("predictions_test.txt"))
        let again = try readPredictions(out2.appendingPathComponent("predictions_test.txt"))
        XCTAssertEqual(again.map { $0.map(\.predicted) }, first.map { $0.map(\.predicted) })
        XCTAssertTrue(again.joined().allSatisfy { $0.gold == "O" })
    }

    /// The original's file names first, CoNLL-2003's own (`eng.train`, `eng.testa`, `eng.testb`)
    /// otherwise; train and dev need tags, test does not.
    func testFileNamesAndWhichSplitsNeedTags() throws {
        let data = try makeTemporaryDirectory(prefix: "deberta-ner-files")
        let task = NERTask()
        XCTAssertEqual(task.dataFile(for: .dev, in: data).lastPathComponent, "valid.txt")
        try conll([devSentences]).write(to: data.appendingPathComponent("eng.testa"), atomically: true, encoding: .utf8)
        XCTAssertEqual(task.dataFile(for: .dev, in: data).lastPathComponent, "eng.testa")
        XCTAssertEqual(try task.examples(split: .dev, dataDirectory: data).map(\.words), devSentences.map(\.words))
        try conll([devSentences], labelled: false).write(to: data.appendingPathComponent("valid.txt"), atomically: true, encoding: .utf8)
        XCTAssertEqual(task.dataFile(for: .dev, in: data).lastPathComponent, "valid.txt")
        XCTAssertThrowsError(try task.examples(split: .dev, dataDirectory: data)) { error in
            XCTAssertEqual("\(error)", "\(data.path)/valid.txt:3: no tag column (one column a line); the dev file needs the gold tags")
        }
        try conll([devSentences], labelled: false).write(to: data.appendingPathComponent("test.txt"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try task.examples(split: .test, dataDirectory: data).map(\.tags), [nil, nil, nil])
        try "\n\n-DOCSTART- -X- O O\n\n".write(to: data.appendingPathComponent("train.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try task.examples(split: .train, dataDirectory: data)) { error in
            XCTAssertEqual("\(error)", "\(data.path)/train.txt: no sentences")
        }
    }

    /// A malformed line in any file the run reads stops it before it writes anything: no output
    /// folder, or an existing one left as it was.
    func testBadInputStopsTheRunBeforeItWritesAnything() throws {
        let tmp = try makeTemporaryDirectory(prefix: "deberta-ner-bad")
        let data = tmp.appendingPathComponent("data"), out = tmp.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try conll([Array(nerTestSentences.prefix(2))]).write(to: data.appendingPathComponent("train.txt"), atomically: true, encoding: .utf8)
        try conll([devSentences]).write(to: data.appendingPathComponent("valid.txt"), atomically: true, encoding: .utf8)
        var test = conll([testSentences]).components(separatedBy: "\n")
        test[4] = "Google X B-ORG"  // line 5: three columns
        try test.joined(separator: "\n").write(to: data.appendingPathComponent("test.txt"), atomically: true, encoding: .utf8)

        var o = FineTuningOptions(taskName: "NER", dataDirectory: data, outputDirectory: out)
        o.doTrain = true; o.doEval = true; o.doPredict = true
        o.modelConfig = try tinyConfiguration(in: tmp).path
        o.vocabPath = try References.packageFile("Examples/deberta-v3-h256-rtd")
        XCTAssertThrowsError(try FineTuningTasks.run(o)) { error in
            XCTAssertEqual("\(error)", "\(data.path)/test.txt:5: 3 columns, but the file's first word line (line 3) has 4")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))

        // An unknown tag in the dev file, with an earlier run's results in the output folder.
        try conll([testSentences]).write(to: data.appendingPathComponent("test.txt"), atomically: true, encoding: .utf8)
        try conll([devSentences]).replacingOccurrences(of: "Madrid X X B-LOC", with: "Madrid X X B-CITY")
            .write(to: data.appendingPathComponent("valid.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let earlier = "{\"epoch\":1,\"f1\":0.5,\"split\":\"dev\",\"step\":10}\n"
        try earlier.write(to: out.appendingPathComponent("eval_results.jsonl"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FineTuningTasks.run(o)) { error in
            XCTAssertEqual((error as? TaskDataError)?.kind, .unknownLabel)
            XCTAssertTrue("\(error)".hasPrefix("\(data.path)/valid.txt:7:12: unknown tag \"B-CITY\""), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), ["eval_results.jsonl"])
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("eval_results.jsonl"), encoding: .utf8), earlier)
    }

    /// `deberta train --task_name NER` with invalid UTF-8 in train.txt: exit status 1, the file,
    /// line and column on standard error, no output folder.
    func testCommandLineNamesTheBadLine() throws {
        let tmp = try makeTemporaryDirectory(prefix: "deberta-ner-cli")
        let data = tmp.appendingPathComponent("data"), out = tmp.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try Data("-DOCSTART- -X- O O\n\nK\u{F6}ln X X B-LOC\n".utf8.map { $0 == 0xC3 ? 0xF6 : $0 }.filter { $0 != 0xB6 })
            .write(to: data.appendingPathComponent("train.txt"))
        let p = Process()
        p.executableURL = try Executable.binary()
        p.arguments = ["train", "--task_name", "NER", "--do_train", "--data_dir", data.path, "--output_dir", out.path,
                       "--model_config", try tinyConfiguration(in: tmp).path,
                       "--vocab_path", try References.packageFile("Examples/deberta-v3-h256-rtd").path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 1)
        XCTAssertTrue(stderr.contains("\(data.path)/train.txt:3:2: invalid UTF-8 (byte 0xF6)"), stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }
}

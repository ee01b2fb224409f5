import DeBERTaGLUE
import XCTest

/// Task metadata: names, labels in the original's order, splits, files, metrics, submission names.
final class GLUETaskTests: XCTestCase {
    func testNamesAreCaseInsensitiveWithAliases() throws {
        let expected: [String: GLUETask] = [
            "cola": .cola, "CoLA": .cola, "sst-2": .sst2, "SST2": .sst2, "sst2": .sst2, "mrpc": .mrpc,
            "STS-B": .stsb, "stsb": .stsb, "qqp": .qqp, "MNLI": .mnli, "qnli": .qnli, "RTE": .rte,
            "wnli": .wnli, "AX": .ax,
        ]
        for (name, task) in expected { XCTAssertEqual(try GLUETask(name: name), task, name) }
        XCTAssertEqual(GLUETask.allCases.map(\.name),
                       ["cola", "sst-2", "mrpc", "sts-b", "qqp", "mnli", "qnli", "rte", "wnli", "ax"])
    }

    func testLabelsInTheOriginalOrder() {
        XCTAssertEqual(GLUETask.mnli.labels, ["contradiction", "neutral", "entailment"])
        XCTAssertEqual(GLUETask.ax.labels, ["contradiction", "neutral", "entailment"])
        XCTAssertEqual(GLUETask.qnli.labels, ["not_entailment", "entailment"])
        XCTAssertEqual(GLUETask.rte.labels, ["not_entailment", "entailment"])
        for task in [GLUETask.cola, .sst2, .mrpc, .qqp, .wnli] { XCTAssertEqual(task.labels, ["0", "1"]) }
        XCTAssertEqual(GLUETask.stsb.labels, [])
        XCTAssertEqual(GLUETask.allCases.map(\.numLabels), [2, 2, 2, 1, 2, 3, 2, 2, 2, 3])
        XCTAssertEqual(GLUETask.allCases.filter(\.isRegression), [.stsb])
    }

    func testSplitsAndFiles() {
        for task in GLUETask.allCases where task != .mnli && task != .ax {
            XCTAssertEqual(task.splits, [.train, .dev, .test])
            XCTAssertEqual(task.devSplits, [.dev])
            XCTAssertEqual(task.testSplits, [.test])
            XCTAssertEqual(task.splits.map { task.fileName(for: $0) }, ["train.tsv", "dev.tsv", "test.tsv"])
        }
        XCTAssertEqual(GLUETask.mnli.devSplits.map(\.name), ["dev_matched", "dev_mismatched"])
        XCTAssertEqual(GLUETask.mnli.testSplits.map(\.name), ["test_matched", "test_mismatched"])
        XCTAssertEqual(GLUETask.mnli.splits.compactMap { GLUETask.mnli.fileName(for: $0) },
                       ["train.tsv", "dev_matched.tsv", "dev_mismatched.tsv", "test_matched.tsv", "test_mismatched.tsv"])
        XCTAssertNil(GLUETask.mnli.fileName(for: .dev))
        XCTAssertEqual(GLUETask.ax.fileName(for: .test), "AX.tsv")
        XCTAssertEqual(GLUETask.ax.fileName(for: .diagnostic), "diagnostic-full.tsv")
        XCTAssertEqual(GLUETask.ax.devSplits, [.diagnostic])
        XCTAssertNil(GLUETask.ax.fileName(for: .train))
    }

    func testSubmissionFileNames() {
        var names: [String] = []
        for task in GLUETask.allCases {
            for split in task.testSplits { names.append(task.submissionFileName(for: split)!) }
            for split in task.splits where split.isLabelled { XCTAssertNil(task.submissionFileName(for: split)) }
        }
        XCTAssertEqual(names, ["CoLA.tsv", "SST-2.tsv", "MRPC.tsv", "STS-B.tsv", "QQP.tsv", "MNLI-m.tsv",
                               "MNLI-mm.tsv", "QNLI.tsv", "RTE.tsv", "WNLI.tsv", "AX.tsv"])
    }

    func testMetricsAndSelection() {
        XCTAssertEqual(GLUETask.cola.metricNames, ["accuracy", "mcc"])
        XCTAssertEqual(GLUETask.cola.selectionMetrics, ["mcc"])
        XCTAssertEqual(GLUETask.mrpc.selectionMetrics, ["accuracy", "f1"])
        XCTAssertEqual(GLUETask.qqp.selectionMetrics, ["accuracy", "f1"])
        XCTAssertEqual(GLUETask.stsb.selectionMetrics, ["pearsonr", "spearmanr"])
        XCTAssertEqual(GLUETask.ax.selectionMetrics, ["mcc"])
        for task in [GLUETask.sst2, .mnli, .qnli, .rte, .wnli] { XCTAssertEqual(task.selectionMetrics, ["accuracy"]) }
        XCTAssertEqual(GLUETask.allCases.map(\.directoryName),
                       ["CoLA", "SST-2", "MRPC", "STS-B", "QQP", "MNLI", "QNLI", "RTE", "WNLI", "AX"])
    }
}

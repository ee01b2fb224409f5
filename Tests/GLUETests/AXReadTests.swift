import DeBERTaGLUE
import XCTest

/// AX has no files here: synthetic `AX.tsv` and `diagnostic-full.tsv` in the real layouts.
final class AXReadTests: XCTestCase {
    func testUnlabelledAndLabelledDiagnosticFiles() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        try TestPaths.write("index\tsentence1\tsentence2\n"
                            + "0\tThe cat sat on the mat.\tThe cat did not sit on the mat.\n"
                            + "1\tThe cat did not sit on the mat.\tThe cat sat on the mat.\n",
                            to: directory, as: "AX.tsv")
        let test = try GLUETask.ax.examples(split: .test, dataDirectory: directory)
        XCTAssertEqual(test.count, 2)
        XCTAssertEqual(test[0].textA, "The cat sat on the mat.")
        XCTAssertEqual(test[0].textB, "The cat did not sit on the mat.")
        XCTAssertNil(test[0].label)

        try TestPaths.write("\u{FEFF}Lexical Semantics\tPredicate-Argument Structure\tLogic\tKnowledge\tDomain\tPremise\tHypothesis\tLabel\r\n"
                            + "\t\tNegation\t\tArtificial\tThe cat sat on the mat.\tThe cat did not sit on the mat.\tcontradiction\r\n"
                            + "Lexical entailment\t\t\t\tNews\tA \"quote.\tA quote.\tentailment\r\n"
                            + "\tCoordination scope\t\t\tReddit\tX\tY\tneutral",
                            to: directory, as: "diagnostic-full.tsv")
        let diagnostic = try GLUETask.ax.examples(split: .diagnostic, dataDirectory: directory)
        XCTAssertEqual(diagnostic.count, 3)
        XCTAssertEqual(diagnostic[1].textA, "A \"quote.")
        XCTAssertEqual(diagnostic.map(\.label), [.classIndex(0), .classIndex(2), .classIndex(1)])
        XCTAssertEqual(GLUETask.ax.labels, GLUETask.mnli.labels)
    }
}

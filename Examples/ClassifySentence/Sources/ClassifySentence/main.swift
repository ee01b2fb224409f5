import DeBERTa

// ClassifySentence [MODEL_FOLDER] [SENTENCE], run from the repository root.
let arguments = Array(CommandLine.arguments.dropFirst())
let folder = URL(fileURLWithPath: arguments.first ?? "Examples/deberta-v3-h256-sst2")
let sentence = arguments.count > 1 ? arguments[1] : "A gripping, funny and moving film."

do {
    let classifier = try TextClassifier(folder: folder)
    print(sentence)
    for score in try classifier.classify(sentence) {
        print("  \(score.label): \(String(format: "%.4f", score.score))")
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}

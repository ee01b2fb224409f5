import ArgumentParser
import DeBERTa
import DeBERTaFiles
import Foundation

/// `deberta predict`: transformers' pipelines from the command line, JSON lines in, JSON lines out.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Run a pipeline (text-classification, zero-shot-classification, feature-extraction, fill-mask) on raw text.",
        discussion: """
        Each input line is a JSON object with the keyword arguments of transformers' pipeline call:
          text-classification       {"text": "…" | ["…"], "text_pair": "…", "top_k": null | k, "function_to_apply": "softmax" | "sigmoid" | "none"}
          zero-shot-classification  {"sequences": "…" | ["…"], "candidate_labels": ["…"] | "a, b", "hypothesis_template": "This example is {}.", "multi_label": false}
          feature-extraction        {"inputs": "…"}   (also "text")
          fill-mask                 {"inputs": "… [MASK] …", "top_k": 5, "targets": ["▁Paris"] | "▁Paris"}   (also "text")
        Each output line is the JSON the pipeline returns for it. With --text, the one text is the
        line's text and the answer is printed.
        Examples:
          deberta predict --task text-classification --model Examples/deberta-v3-h256-sst2 --text "A gripping film."
          deberta predict --task zero-shot-classification --model nli-model --input in.jsonl --output out.jsonl
        """)

    static let tasks = ["text-classification", "zero-shot-classification", "feature-extraction", "fill-mask"]

    @Option(help: "The pipeline: \(PredictCommand.tasks.joined(separator: ", ")) (sentiment-analysis is text-classification).") var task: String
    @Option(help: "Model folder (Hugging Face or original layout).") var model: String
    @Option(help: "Tokenizer folder (default: the model folder).") var tokenizer: String?
    @Option(help: "JSON lines of pipeline arguments.") var input: String?
    @Option(help: "Where to write the answers as JSON lines (written atomically; standard output when not given).") var output: String?
    @Option(help: "One text instead of --input.") var text: String?
    @Option(name: .customLong("candidate-labels"), help: "Comma-separated labels for zero-shot-classification with --text.") var candidateLabels: String?
    @Option(name: .customLong("top-k"), help: "top_k for --text (text-classification, fill-mask).") var topK: Int?

    func validate() throws {
        guard (input == nil) != (text == nil) else { throw ValidationError("give exactly one of --input and --text") }
    }

    func run() throws {
        do { try execute() } catch { throw fail(error) }
    }

    func execute() throws {
        let pipeline = try Pipeline(task: task, model: URL(fileURLWithPath: model), tokenizer: tokenizer.map { URL(fileURLWithPath: $0) })
        var answers: [String] = []
        if let text {
            var arguments: [String: Any] = [pipeline.textKey: text]
            if let candidateLabels { arguments["candidate_labels"] = candidateLabels }
            if let topK { arguments["top_k"] = topK }
            answers.append(try pipeline.answer(arguments, line: "--text").description)
        } else if let input {
            guard let data = FileManager.default.contents(atPath: input) else { throw CLIError("\(input): cannot read the file") }
            guard let content = String(data: data, encoding: .utf8) else { throw CLIError("\(input): not UTF-8 text") }
            for (k, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let where_ = "\(input) line \(k + 1)"
                if line.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
                let object: Any
                do { object = try JSONDecoder().decode(LineJSON.self, from: Data(line.utf8)).value } catch {
                    throw CLIError("\(where_): malformed JSON (\(error.localizedDescription))")
                }
                guard let arguments = object as? [String: Any] else { throw CLIError("\(where_): expected a JSON object of pipeline arguments") }
                do { answers.append(try pipeline.answer(arguments, line: where_).description) } catch let error as CLIError { throw error } catch {
                    throw CLIError("\(where_): \(error)")
                }
            }
        }
        let body = answers.map { $0 + "\n" }.joined()
        if let output {
            try writeFileAtomically(Data(body.utf8), to: URL(fileURLWithPath: output))
        } else {
            FileHandle.standardOutput.write(Data(body.utf8))
        }
    }
}

/// One loaded pipeline and the translation of a line's keyword arguments into its call.
struct Pipeline {
    enum Kind { case textClassification(TextClassifier), zeroShot(ZeroShotClassifier), features(FeatureExtractor), fillMask(FillMask) }
    let kind: Kind

    init(task: String, model: URL, tokenizer: URL?) throws {
        switch task {
        case "text-classification", "sentiment-analysis": kind = .textClassification(try TextClassifier(folder: model, tokenizerFolder: tokenizer))
        case "zero-shot-classification": kind = .zeroShot(try ZeroShotClassifier(folder: model, tokenizerFolder: tokenizer))
        case "feature-extraction": kind = .features(try FeatureExtractor(folder: model, tokenizerFolder: tokenizer))
        case "fill-mask": kind = .fillMask(try FillMask(folder: model, tokenizerFolder: tokenizer))
        default: throw CLIError("unknown task \"\(task)\"; the tasks: \(PredictCommand.tasks.joined(separator: ", "))")
        }
    }

    /// The argument that carries the text with --text.
    var textKey: String {
        switch kind {
        case .textClassification: return "text"
        case .zeroShot: return "sequences"
        case .features, .fillMask: return "inputs"
        }
    }

    func answer(_ arguments: [String: Any], line: String) throws -> PipelineJSON {
        let reader = Arguments(values: arguments, line: line)
        switch kind {
        case .textClassification(let classifier):
            try reader.allow(["text", "text_pair", "top_k", "function_to_apply"])
            let texts = arguments["text"] is [Any] ? try reader.strings("text") : nil
            let text = try texts == nil ? reader.string("text", required: true)! : ""
            let pair = try reader.string("text_pair")
            var topK = TextClassifier.TopK.legacy
            if arguments.keys.contains("top_k") { topK = try reader.optionalInt("top_k").map { .count($0) } ?? .all }
            var function: TextClassifier.ScoreFunction? = nil
            if let name = try reader.string("function_to_apply") {
                guard let f = TextClassifier.ScoreFunction(pipelineName: name) else {
                    throw CLIError("\(line): function_to_apply \"\(name)\" is not one of softmax, sigmoid, none")
                }
                function = f
            }
            if let texts {
                guard pair == nil else { throw CLIError("\(line): \"text_pair\" goes with a single \"text\", not a list") }
                guard !texts.isEmpty else { throw CLIError("\(line): \"text\" is an empty list") }
                return try classifier.pipeline(texts, topK: topK, function: function)
            }
            return try classifier.pipeline(text, pair: pair, topK: topK, function: function)
        case .zeroShot(let zeroShot):
            try reader.allow(["sequences", "candidate_labels", "hypothesis_template", "multi_label"])
            let sequences: [String], single: Bool
            if let one = arguments["sequences"] as? String { (sequences, single) = ([one], true) } else {
                guard let many = try reader.strings("sequences") else { throw CLIError("\(line): missing \"sequences\"") }
                (sequences, single) = (many, false)
            }
            let labels: [String]
            if let text = arguments["candidate_labels"] as? String { labels = ZeroShotClassifier.candidateLabels(text) } else {
                guard let list = try reader.strings("candidate_labels") else { throw CLIError("\(line): missing \"candidate_labels\"") }
                labels = list
            }
            guard !labels.isEmpty else { throw CLIError("\(line): \"candidate_labels\" is empty") }
            let template = try reader.string("hypothesis_template") ?? ZeroShotClassifier.defaultHypothesisTemplate
            let multi = try reader.bool("multi_label") ?? false
            let results = try sequences.map {
                try zeroShot.classify($0, candidateLabels: labels, hypothesisTemplate: template, multiLabel: multi).pipelineJSON
            }
            return single ? results[0] : .array(results)
        case .features(let extractor):
            try reader.allow(["inputs", "text"])
            let text = try reader.string("inputs") ?? reader.string("text", required: true)!
            return try extractor.pipeline(text)
        case .fillMask(let filler):
            try reader.allow(["inputs", "text", "top_k", "targets"])
            let text = try reader.string("inputs") ?? reader.string("text", required: true)!
            let topK = try reader.optionalInt("top_k") ?? 5
            var targets: [String]? = nil
            if let one = arguments["targets"] as? String { targets = [one] } else { targets = try reader.strings("targets") }
            return try filler.pipeline(text, topK: topK, targets: targets)
        }
    }
}

/// Typed reads of one line's arguments, with errors naming the line and the key.
struct Arguments {
    let values: [String: Any]
    let line: String

    func allow(_ keys: Set<String>) throws {
        let unknown = values.keys.filter { !keys.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw CLIError("\(line): unknown argument\(unknown.count > 1 ? "s" : "") \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); this task takes \(keys.sorted().joined(separator: ", "))")
        }
    }

    func string(_ key: String, required: Bool = false) throws -> String? {
        guard let value = values[key], !(value is NSNull) else {
            if required { throw CLIError("\(line): missing \"\(key)\"") }
            return nil
        }
        guard let s = value as? String else { throw CLIError("\(line): \"\(key)\" must be a string") }
        return s
    }

    func strings(_ key: String) throws -> [String]? {
        guard let value = values[key], !(value is NSNull) else { return nil }
        guard let list = value as? [Any], let strings = list as? [String], !(list.contains { !($0 is String) }) else {
            throw CLIError("\(line): \"\(key)\" must be a string or a list of strings")
        }
        return strings
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard let value = values[key], !(value is NSNull) else { return nil }
        let number = (value as? Int).map(Double.init) ?? (value as? Double)
        guard let number, let k = Int(exactly: number), k >= 1 else {
            throw CLIError("\(line): \"\(key)\" must be a positive integer or null")
        }
        return k
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = values[key], !(value is NSNull) else { return nil }
        guard let b = value as? Bool else {
            throw CLIError("\(line): \"\(key)\" must be true or false")
        }
        return b
    }
}

/// A JSON value read into native Swift values (`Bool`, `Int`, `Double`, `String`, `[Any]`,
/// `[String: Any]`, `NSNull`), so that `true` and `1` stay apart.
struct LineJSON: Decodable {
    let value: Any

    init(from decoder: Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            var items: [Any] = []
            while !list.isAtEnd { items.append(try list.decode(LineJSON.self).value) }
            value = items
            return
        }
        if let object = try? decoder.container(keyedBy: Key.self) {
            var entries: [String: Any] = [:]
            for key in object.allKeys { entries[key.stringValue] = try object.decode(LineJSON.self, forKey: key).value }
            value = entries
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { value = NSNull() }
        else if let b = try? single.decode(Bool.self) { value = b }
        else if let i = try? single.decode(Int.self) { value = i }
        else if let d = try? single.decode(Double.self) { value = d }
        else { value = try single.decode(String.self) }
    }

    struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}

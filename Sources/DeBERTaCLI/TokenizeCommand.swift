import DeBERTaFiles
import ArgumentParser
import DeBERTaCheckpoint
import Foundation
import DeBERTaTokenizers

/// `deberta tokenize`: encode a text file, one example per line, into JSON lines.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Encode one text per line (with --pairs: two texts separated by a tab) into JSON lines of input_ids and token_type_ids.")

    @Option(help: "Tokenizer folder (spm.model, bpe_encoder.bin, vocab.json + merges.txt, or tokenizer.json), hub id or short name.") var tokenizer: String
    @Option(help: "Input text file (UTF-8).") var input: String
    @Option(help: "Output JSON-lines file.") var output: String
    @Flag(help: "Each line holds two texts separated by a tab.") var pairs = false
    @Option(name: .customLong("max-length"), help: "Truncate (longest first) to this many tokens, special tokens included.") var maxLength: Int?

    func run() throws {
        do { try execute() } catch { throw fail(error) }
    }

    func execute() throws {
        let tok = try Tokenizer.load(directory: resolveModel(tokenizer, files: .tokenizer))
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: input)) } catch {
            throw CLIError("\(input): cannot read: \(error.localizedDescription)")
        }
        var lines: [(text: String, pair: String?)] = []
        var lineNumber = 0
        for raw in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var bytes = raw
            if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            if bytes.isEmpty && raw.endIndex == data.endIndex && (lineNumber > 1 || data.isEmpty) { break }  // final newline or empty file
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw CLIError("\(input):\(lineNumber): invalid UTF-8")
            }
            if pairs {
                let parts = text.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw CLIError("\(input):\(lineNumber): expected two texts separated by a tab") }
                lines.append((String(parts[0]), String(parts[1])))
            } else {
                lines.append((text, nil))
            }
        }
        let encodings = try tok.encodeBatch(lines, maxLength: maxLength)
        var out = ""
        out.reserveCapacity(encodings.count * 64)
        for e in encodings {
            out += "{\"input_ids\": [" + e.inputIds.map(String.init).joined(separator: ", ")
                + "], \"token_type_ids\": [" + e.tokenTypeIds.map(String.init).joined(separator: ", ") + "]}\n"
        }
        try writeFileAtomically(Data(out.utf8), to: URL(fileURLWithPath: output))
    }
}

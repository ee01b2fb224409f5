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

    /// Lines encoded (and written) together: enough to keep every core busy, few enough that
    /// memory does not grow with the input.
    static let batchLines = 4096
    /// A progress line goes to standard error after every this many lines.
    static let progressInterval = 100_000

    func execute() throws {
        let tok = try Tokenizer.load(directory: resolveModel(tokenizer, files: .tokenizer))
        var reader = try LineChunks(path: input)
        let writer = try AtomicFileWriter(destination: URL(fileURLWithPath: output))
        var batch: [(text: String, pair: String?)] = []
        batch.reserveCapacity(Self.batchLines)
        var written = 0
        func flush() throws {
            let encodings = try tok.encodeBatch(batch, maxLength: maxLength)
            var out = ""
            out.reserveCapacity(encodings.count * 64)
            for e in encodings {
                out += "{\"input_ids\": [" + e.inputIds.map(String.init).joined(separator: ", ")
                    + "], \"token_type_ids\": [" + e.tokenTypeIds.map(String.init).joined(separator: ", ") + "]}\n"
            }
            try writer.write(Array(out.utf8))
            let before = written
            written += batch.count
            batch.removeAll(keepingCapacity: true)
            if written / Self.progressInterval > before / Self.progressInterval {
                FileHandle.standardError.write(Data("tokenize: \(written) lines\n".utf8))
            }
        }
        while let text = try reader.next() {
            if pairs {
                let parts = text.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw CLIError("\(input):\(reader.lineNumber): expected two texts separated by a tab") }
                batch.append((String(parts[0]), String(parts[1])))
            } else {
                batch.append((text, nil))
            }
            if batch.count == Self.batchLines { try flush() }
        }
        if !batch.isEmpty { try flush() }
        try writer.commit()
    }
}

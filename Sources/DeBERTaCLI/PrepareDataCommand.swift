import ArgumentParser
import Foundation
import DeBERTaPretraining
import DeBERTaTensors

/// `deberta prepare-data`: the original `prepare_data.py`, streaming.
struct PrepareDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare-data",
        abstract: "Tokenize raw text into pretraining data: one stream of pieces, max_seq_len − 2 per line.",
        discussion: """
        Every line of the input is tokenized into piece strings (unknown pieces become [UNK]); the
        pieces of all lines (and of all --input files, in order) form one stream, written
        max_seq_len − 2 pieces per output line. Memory stays at a few MB whatever the input size.
        Example:
          deberta prepare-data --vocab_path tokenizer/ --input wiki.train.raw --output data/train.txt --max_seq_len 512
        """)

    @Option(name: [.customLong("vocab_path"), .customLong("vocab")], help: "Tokenizer folder or file (spm.model, bpe_encoder.bin, tokenizer.json).") var vocabPath: String
    @Option(name: .customLong("vocab_type"), help: "spm or gpt2, when the file's kind is ambiguous.") var vocabType: String?
    @Option(name: [.customLong("input"), .short], help: "Raw text file (UTF-8); repeat for several files.") var input: [String]
    @Option(name: [.customLong("output"), .short], help: "Prepared file to write (e.g. DATA_DIR/train.txt).") var output: String
    @Option(name: [.customLong("max_seq_len"), .customLong("max_seq_length")], help: "Sequence length the data is for (lines get max_seq_len − 2 pieces).") var maxSeqLen = 512
    @Option(name: .customLong("threads"), help: "Threads for tokenization (default: all cores).") var threads: Int?

    func run() throws {
        do { try execute() } catch { throw fail(error) }
    }

    func execute() throws {
        if let threads { Threading.setThreads(threads) }
        guard !input.isEmpty else { throw CLIError("give at least one --input file") }
        let (tokenizer, _) = try TokenizerLoading.load(URL(fileURLWithPath: vocabPath), type: vocabType)
        let preparation = try CorpusPreparation(tokenizer: tokenizer, maxSequenceLength: maxSeqLen)
        let start = Date()
        var lastReport = Date()
        let summary = try preparation.prepare(inputs: input.map { URL(fileURLWithPath: $0) }, output: URL(fileURLWithPath: output)) { s in
            if Date().timeIntervalSince(lastReport) > 5 {
                lastReport = Date()
                FileHandle.standardError.write(Data("  \(s.inputLines) lines read, \(s.pieces) pieces\n".utf8))
            }
        }
        let seconds = Date().timeIntervalSince(start)
        var line = "Loaded \(summary.pieces) tokens from \(input.joined(separator: ", ")) (\(summary.inputLines) lines, \(summary.unknownPieces) [UNK]); saved \(summary.outputLines) lines to \(output) in \(String(format: "%.1f", seconds)) s"
        if let peak = PeakMemory.residentMegabytes() { line += String(format: ", peak memory %.1f MB", peak) }
        print(line)
    }
}

/// The process's peak resident memory (`VmHWM` of `/proc/self/status`), on Linux.
enum PeakMemory {
    static func residentMegabytes() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first { Double($0) != nil } ?? "") else { return nil }
        return kb / 1024
    }
}

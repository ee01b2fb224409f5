import DeBERTaFiles
import DeBERTaCheckpoint
import Foundation
import DeBERTaTokenizers

/// `prepare_data.py` of the original (PRETRAINING.md §1), streaming: every line of the raw text is
/// tokenized into piece strings (unknown pieces become `[UNK]`), all pieces form one stream across
/// lines and files, and the stream is written `maxSequenceLength − 2` pieces per line, joined by
/// single spaces (the last line may be shorter).
///
/// Memory is bounded by one read chunk, one batch of lines being tokenized (about `batchBytes` of
/// text), one output line and the write buffer — a few MB whatever the corpus size. The output is
/// written to a temporary file and renamed into place at the end, so it is never seen half-written.
public struct CorpusPreparation {
    /// What a preparation produced.
    public struct Summary: Sendable, Equatable {
        /// Lines read from the inputs.
        public var inputLines: Int
        /// Pieces in the stream.
        public var pieces: Int
        /// Lines written.
        public var outputLines: Int
        /// Pieces that were `[UNK]`.
        public var unknownPieces: Int
    }

    public let tokenizer: Tokenizer
    /// `--max_seq_len`: each output line has `maxSequenceLength − 2` pieces (room for `[CLS]`, `[SEP]`).
    public let maxSequenceLength: Int
    /// Text tokenized per batch (all cores share a batch).
    public var batchBytes = 1 << 18
    /// Read chunk size.
    public var chunkSize = 1 << 20

    public init(tokenizer: Tokenizer, maxSequenceLength: Int) throws {
        guard maxSequenceLength >= 3 else {
            throw PretrainingError.invalidOption("--max_seq_len \(maxSequenceLength) leaves no room for pieces (needs ≥ 3)")
        }
        self.tokenizer = tokenizer
        self.maxSequenceLength = maxSequenceLength
    }

    /// Prepares `inputs` (read in order as one stream) into `output`.
    @discardableResult
    public func prepare(inputs: [URL], output: URL, progress: ((Summary) -> Void)? = nil) throws -> Summary {
        guard !inputs.isEmpty else { throw PretrainingError.invalidOption("no input file") }
        for url in inputs where url.standardizedFileURL.path == output.standardizedFileURL.path {
            throw PretrainingError.file(output.path, "the output would overwrite an input")
        }
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        let writer = try AtomicFileWriter(destination: output)
        var sink = PieceLineWriter(writer: writer, piecesPerLine: maxSequenceLength - 2)
        var summary = Summary(inputLines: 0, pieces: 0, outputLines: 0, unknownPieces: 0)
        let unknown = tokenizer.token(for: tokenizer.specialTokenIds.unk)
        var texts: [String] = []
        var pendingBytes = 0
        func flush() throws {
            guard !texts.isEmpty else { return }
            let encodings = try tokenizer.encodeBatch(texts, addSpecialTokens: false)
            for encoding in encodings {
                for id in encoding.inputIds {
                    var piece = tokenizer.token(for: id) ?? "[UNK]"
                    if id == tokenizer.specialTokenIds.unk || piece == unknown || piece == "<unk>" {
                        piece = "[UNK]"
                        summary.unknownPieces += 1
                    }
                    try sink.append(piece)
                    summary.pieces += 1
                }
            }
            texts.removeAll(keepingCapacity: true)
            pendingBytes = 0
            summary.outputLines = sink.linesWritten
            progress?(summary)
        }
        for url in inputs {
            var reader = try LineReader(url: url, chunkSize: chunkSize)
            while let (line, terminated) = try reader.next() {
                summary.inputLines += 1
                // Python passes the line with its newline; SentencePiece drops trailing whitespace.
                texts.append(terminated ? line + "\n" : line)
                pendingBytes += line.utf8.count + 1
                if pendingBytes >= batchBytes { try flush() }
            }
        }
        try flush()
        try sink.finish()
        try writer.commit()
        summary.outputLines = sink.linesWritten
        return summary
    }
}

/// Writes pieces `piecesPerLine` to a line, separated by spaces, through a buffered atomic writer.
struct PieceLineWriter {
    let writer: AtomicFileWriter
    let piecesPerLine: Int
    private var buffer: [UInt8] = []
    private var onLine = 0
    private(set) var linesWritten = 0

    init(writer: AtomicFileWriter, piecesPerLine: Int) {
        self.writer = writer
        self.piecesPerLine = piecesPerLine
        buffer.reserveCapacity(1 << 20)
    }

    mutating func append(_ piece: String) throws {
        if onLine > 0 { buffer.append(0x20) }
        buffer.append(contentsOf: piece.utf8)
        onLine += 1
        if onLine == piecesPerLine { try endLine() }
    }

    private mutating func endLine() throws {
        buffer.append(0x0A)
        onLine = 0
        linesWritten += 1
        if buffer.count >= 1 << 20 {
            try writer.write(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// Ends a partial last line and writes what is buffered.
    mutating func finish() throws {
        if onLine > 0 { try endLine() }
        if !buffer.isEmpty { try writer.write(buffer) }
        buffer.removeAll()
    }
}

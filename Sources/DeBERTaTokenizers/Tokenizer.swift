import Foundation

/// A DeBERTa tokenizer: GPT-2 byte-level BPE (DeBERTa v1) or SentencePiece unigram (v2/v3).
///
/// Load one with ``load(directory:)`` (it picks the kind from the files present) or one of the
/// file-specific initialisers, then call ``encode(_:)`` / ``encode(_:pair:maxLength:truncation:padding:addSpecialTokens:splitSpecialTokens:)``
/// and ``decode(_:skipSpecialTokens:)``. A tokenizer is immutable and safe to use from many
/// threads at once; ``encodeBatch(_:maxLength:truncation:padding:addSpecialTokens:splitSpecialTokens:)``
/// spreads a batch over all cores.
///
/// The pipeline is normaliser → pre-tokenizer → model → post-processor, each behind its own
/// protocol (``Normalizer``, ``PreTokenizer``, ``TokenizationModel``, ``PostProcessor``), with a
/// ``TokenDecoder`` for the way back.
public final class Tokenizer: Sendable {
    /// Which algorithm a tokenizer uses.
    public enum Kind: String, Sendable {
        /// GPT-2 byte-level BPE with BERT-style special tokens (DeBERTa v1).
        case byteLevelBPE
        /// SentencePiece unigram (DeBERTa v2, v3, mDeBERTa).
        case sentencePiece
    }

    /// The algorithm.
    public let kind: Kind
    /// Ids of `[PAD]`, `[CLS]`, `[SEP]`, `[UNK]`, `[MASK]`, as read from the files.
    public let specialTokenIds: SpecialTokenIds
    /// Tokens outside the model's segmentation (the special tokens and any others a folder adds).
    public let addedTokens: [AddedToken]
    /// Total number of ids (model vocabulary plus added tokens beyond it).
    public let vocabularySize: Int

    let normalizer: (any Normalizer)?
    let preTokenizer: (any PreTokenizer)?
    let model: any TokenizationModel
    let postProcessor: any PostProcessor
    let decoder: any TokenDecoder
    let vocabulary: any TokenVocabulary
    let splitter: AddedTokenSplitter
    let addPrefixSpace: Bool
    let lowercaseInput: Bool
    private let pool: WorkspacePool

    init(kind: Kind, specialTokenIds: SpecialTokenIds, addedTokens: [AddedToken], normalizer: (any Normalizer)?,
         preTokenizer: (any PreTokenizer)?, model: any TokenizationModel, decoder: any TokenDecoder,
         vocabulary: any TokenVocabulary, addPrefixSpace: Bool = false, lowercaseInput: Bool = false) {
        self.kind = kind
        self.specialTokenIds = specialTokenIds
        self.addedTokens = addedTokens
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = DeBERTaPostProcessor(clsId: specialTokenIds.cls, sepId: specialTokenIds.sep)
        self.decoder = decoder
        self.vocabulary = vocabulary
        self.splitter = AddedTokenSplitter(tokens: addedTokens)
        self.addPrefixSpace = addPrefixSpace
        self.lowercaseInput = lowercaseInput
        self.vocabularySize = max(model.vocabularySize, (addedTokens.map(\.id).max() ?? -1) + 1)
        self.pool = WorkspacePool(model: model)
    }

    // MARK: - Encoding

    /// Encodes one text as `[CLS] text [SEP]`, without truncation or padding.
    ///
    /// Literal special-token strings in the text (such as `"[MASK]"`) are ordinary text, as in
    /// the original DeBERTa tokenizers; see `splitSpecialTokens` in the longer overload.
    public func encode(_ text: String) -> Encoding {
        pool.with { workspace in
            let tokens = encodeSegment(text, splitSpecialTokens: false, workspace: workspace)
            return postProcessor.process([tokens], firstSegmentIndex: [0])
        }
    }

    /// Encodes a text or a text pair.
    ///
    /// - Parameters:
    ///   - text: the first (or only) text.
    ///   - pair: the second text; `[CLS] A [SEP] B [SEP]` with token types 0 then 1. An empty
    ///     string is still a second segment (`[CLS] A [SEP] [SEP]`).
    ///   - maxLength: if given, the result (special tokens included) is truncated to this many
    ///     tokens with `truncation`.
    ///   - truncation: how to shorten over-long inputs.
    ///   - padding: padding to apply afterwards.
    ///   - addSpecialTokens: when false, no `[CLS]`/`[SEP]` are added.
    ///   - splitSpecialTokens: when true, literal added-token strings in the texts (`"[MASK]"`,
    ///     `"[SEP]"`, …) become those tokens and the text around them is encoded piece by piece, as
    ///     Hugging Face tokenizers do; when false (default) they are ordinary text, as in the original.
    /// - Throws: ``TokenizerError/invalidArgument(_:)`` when `maxLength` is smaller than the
    ///   special tokens need or the truncation strategy cannot reach it.
    public func encode(_ text: String, pair: String?, maxLength: Int? = nil,
                       truncation: TruncationStrategy = .longestFirst, padding: Padding = .none,
                       addSpecialTokens: Bool = true, splitSpecialTokens: Bool = false) throws -> Encoding {
        let added = addSpecialTokens ? postProcessor.addedTokenCount(pair: pair != nil) : 0
        if let maxLength, maxLength < added {
            throw TokenizerError.invalidArgument("maxLength \(maxLength) is less than the \(added) special tokens the input needs")
        }
        if case .toLength(let length) = padding, length < 0 {
            throw TokenizerError.invalidArgument("padding length \(length) is negative")
        }
        return try pool.with { workspace in
            try encodeOne(text, pair: pair, maxLength: maxLength, truncation: truncation, padding: padding,
                          addSpecialTokens: addSpecialTokens, splitSpecialTokens: splitSpecialTokens, workspace: workspace)
        }
    }

    func encodeOne(_ text: String, pair: String?, maxLength: Int?, truncation: TruncationStrategy, padding: Padding,
                   addSpecialTokens: Bool, splitSpecialTokens: Bool, workspace: EncoderWorkspace) throws -> Encoding {
        var segments = [encodeSegment(text, splitSpecialTokens: splitSpecialTokens, workspace: workspace)]
        if let pair { segments.append(encodeSegment(pair, splitSpecialTokens: splitSpecialTokens, workspace: workspace)) }
        var order = Array(segments.indices)
        if let maxLength {
            let added = addSpecialTokens ? postProcessor.addedTokenCount(pair: pair != nil) : 0
            order = try Truncation.apply(&segments, budget: maxLength - added, strategy: truncation)
        }
        var encoding: Encoding
        if addSpecialTokens {
            encoding = postProcessor.process(segments, firstSegmentIndex: order)
        } else {
            encoding = Encoding(inputIds: [], tokenTypeIds: [], attentionMask: [], offsets: [], sequenceIds: [], specialTokensMask: [])
            for (k, segment) in segments.enumerated() {
                for token in segment {
                    encoding.inputIds.append(Int(token.id))
                    encoding.tokenTypeIds.append(k)
                    encoding.attentionMask.append(1)
                    encoding.offsets.append(Int(token.start)..<Int(token.end))
                    encoding.sequenceIds.append(order[k])
                    encoding.specialTokensMask.append(0)
                }
            }
        }
        if case .toLength(let length) = padding { encoding.pad(to: length, padId: specialTokenIds.pad) }
        return encoding
    }

    /// The tokens of one text (no special tokens added), as vocabulary strings — e.g. `"ĠHello"`
    /// for byte-level BPE, `"▁Hello"` for SentencePiece.
    public func tokenize(_ text: String, splitSpecialTokens: Bool = false) -> [String] {
        pool.with { workspace in
            encodeSegment(text, splitSpecialTokens: splitSpecialTokens, workspace: workspace)
                .map { vocabulary.token(for: Int($0.id)) ?? "" }
        }
    }

    /// The vocabulary string of an id (`"ĠHello"`, `"▁Hello"`, `"[CLS]"`), or nil if out of range.
    public func token(for id: Int) -> String? { vocabulary.token(for: id) }

    /// The id of a vocabulary string, or nil if it is not in the vocabulary.
    public func id(for token: String) -> Int? { vocabulary.id(for: token) }

    // MARK: - Decoding

    /// Turns ids back into text. With `skipSpecialTokens` (default) `[CLS]`, `[SEP]`, `[PAD]`,
    /// `[UNK]`, `[MASK]` and control pieces produce nothing; otherwise they are written literally.
    /// Invalid UTF-8 (possible when a byte-level sequence is cut mid-character) becomes U+FFFD.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) -> String {
        decoder.decode(ids, skipSpecialTokens: skipSpecialTokens)
    }

    // MARK: - Pipeline

    /// Encodes one segment: tokens with offsets in Unicode scalars of `text`.
    func encodeSegment(_ text: String, splitSpecialTokens: Bool, workspace: EncoderWorkspace) -> [TokenSpan] {
        var source = lowercaseInput ? text.lowercased() : text
        var prefixShift = 0
        if addPrefixSpace, let first = source.unicodeScalars.first, !Tokenizer.isPythonSpace(first.value) {
            source = " " + source
            prefixShift = 1
        }
        var tokens: [TokenSpan] = []
        let run = { (buffer: UnsafeBufferPointer<UInt8>) in
            self.encodeBytes(buffer, splitSpecialTokens: splitSpecialTokens, workspace: workspace, into: &tokens)
            Tokenizer.convertOffsetsToScalars(&tokens, text: buffer, workspace: workspace)
        }
        if source.utf8.withContiguousStorageIfAvailable(run) == nil {
            Array(source.utf8).withUnsafeBufferPointer(run)
        }
        if prefixShift > 0 {
            for k in tokens.indices {
                tokens[k].start = max(0, tokens[k].start - 1)
                tokens[k].end = max(0, tokens[k].end - 1)
            }
        }
        return tokens
    }

    private func encodeBytes(_ buffer: UnsafeBufferPointer<UInt8>, splitSpecialTokens: Bool, workspace: EncoderWorkspace,
                             into tokens: inout [TokenSpan]) {
        if splitSpecialTokens && !splitter.isEmpty {
            for chunk in splitter.split(buffer) {
                switch chunk {
                case .text(let range):
                    encodeText(UnsafeBufferPointer(rebasing: buffer[range]), offset: range.lowerBound, workspace: workspace, into: &tokens)
                case .token(let id, let range):
                    tokens.append(TokenSpan(id: id, start: Int32(range.lowerBound), end: Int32(range.upperBound)))
                }
            }
        } else {
            encodeText(buffer, offset: 0, workspace: workspace, into: &tokens)
        }
    }

    /// Normalise → pre-tokenize → model, for text without added tokens. Offsets are bytes of the
    /// caller's buffer (`offset` is where `text` starts in it).
    private func encodeText(_ text: UnsafeBufferPointer<UInt8>, offset: Int, workspace: EncoderWorkspace,
                            into tokens: inout [TokenSpan]) {
        guard !text.isEmpty else { return }
        if let normalizer {
            workspace.normalized.removeAll()
            normalizer.normalize(text, into: &workspace.normalized)
            let first = tokens.count
            workspace.normalized.bytes.withUnsafeBufferPointer { normalized in
                tokenizeWords(normalized, workspace: workspace, into: &tokens)
            }
            workspace.normalized.origins.withUnsafeBufferPointer { origins in
                let shift = Int32(offset)
                for k in first..<tokens.count {
                    tokens[k].start = origins[Int(tokens[k].start)] + shift
                    tokens[k].end = origins[Int(tokens[k].end)] + shift
                }
            }
        } else {
            let first = tokens.count
            tokenizeWords(text, workspace: workspace, into: &tokens)
            if offset != 0 {
                let shift = Int32(offset)
                for k in first..<tokens.count {
                    tokens[k].start += shift
                    tokens[k].end += shift
                }
            }
        }
    }

    @inline(__always)
    private func tokenizeWords(_ text: UnsafeBufferPointer<UInt8>, workspace: EncoderWorkspace, into tokens: inout [TokenSpan]) {
        guard !text.isEmpty else { return }
        if let preTokenizer {
            workspace.words.removeAll(keepingCapacity: true)
            preTokenizer.split(text, into: &workspace.words)
            for word in workspace.words {
                model.tokenize(text, word: word, into: &tokens, workspace: workspace.model)
            }
        } else {
            model.tokenize(text, word: 0..<text.count, into: &tokens, workspace: workspace.model)
        }
    }

    /// Rewrites byte offsets as Unicode scalar offsets. A start inside a character moves to that
    /// character; an end inside a character moves past it.
    static func convertOffsetsToScalars(_ tokens: inout [TokenSpan], text: UnsafeBufferPointer<UInt8>, workspace: EncoderWorkspace) {
        var ascii = true
        for b in text where b >= 0x80 {
            ascii = false
            break
        }
        if ascii || tokens.isEmpty { return }
        workspace.scalarIndex.removeAll(keepingCapacity: true)
        var count: Int32 = 0
        for b in text {
            workspace.scalarIndex.append(count)
            if b & 0xC0 != 0x80 { count += 1 }
        }
        workspace.scalarIndex.append(count)
        workspace.scalarIndex.withUnsafeBufferPointer { index in
            for k in tokens.indices {
                let s = Int(tokens[k].start), e = Int(tokens[k].end)
                let startInside = s < text.count && text[s] & 0xC0 == 0x80
                tokens[k].start = startInside ? index[s] - 1 : index[s]
                tokens[k].end = index[e]
            }
        }
    }

    /// Python's `str.isspace` for one scalar (White_Space plus U+001C–U+001F).
    static func isPythonSpace(_ value: UInt32) -> Bool {
        (0x1C...0x1F).contains(value) || ScalarClass.of(value) == .whitespace
    }

    /// Runs `body` with a workspace from the pool (for batch workers).
    func withWorkspace<R>(_ body: (EncoderWorkspace) throws -> R) rethrows -> R {
        try pool.with(body)
    }
}

/// Id ↔ vocabulary-string lookups.
protocol TokenVocabulary: Sendable {
    func token(for id: Int) -> String?
    func id(for token: String) -> Int?
}

/// Per-thread buffers for the whole pipeline.
final class EncoderWorkspace {
    let model: TokenizationWorkspace
    var normalized = NormalizedText()
    var words: [Range<Int>] = []
    var scalarIndex: [Int32] = []

    init(model: TokenizationWorkspace) { self.model = model }
}

/// A lock-protected stack of workspaces, so concurrent callers never share one.
final class WorkspacePool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [EncoderWorkspace] = []
    private let model: any TokenizationModel

    init(model: any TokenizationModel) { self.model = model }

    func with<R>(_ body: (EncoderWorkspace) throws -> R) rethrows -> R {
        lock.lock()
        let workspace = free.popLast()
        lock.unlock()
        let ws = workspace ?? EncoderWorkspace(model: model.makeWorkspace())
        defer {
            lock.lock()
            if free.count < 64 { free.append(ws) }
            lock.unlock()
        }
        return try body(ws)
    }
}

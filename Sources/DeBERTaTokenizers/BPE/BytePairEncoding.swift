/// Byte-level byte-pair encoding (GPT-2 / RoBERTa / DeBERTa v1).
///
/// Each word is turned into its UTF-8 bytes, one symbol per byte; then, repeatedly, the adjacent
/// pair with the lowest merge rank is merged everywhere it occurs (left to right, without overlap),
/// until no adjacent pair has a rank. Symbols are finally looked up in the vocabulary.
///
/// Short words use that loop directly. Long words (over 48 bytes) use an equivalent heap-driven
/// version, O(n log n), so a megabyte-long "word" finishes quickly. Results are cached per word in
/// each thread's workspace.
///
/// Everything is keyed by raw bytes: vocabulary spellings such as `"Ġthe"` are converted with
/// ``ByteLevelAlphabet`` when loading.
public final class BytePairEncoding: TokenizationModel {
    /// A merge rule: two byte strings that join into one symbol.
    public struct Merge: Sendable {
        /// Left part, as raw bytes.
        public var left: [UInt8]
        /// Right part, as raw bytes.
        public var right: [UInt8]
        /// Where the rule came from (e.g. 1-based line number), used in error messages.
        public var origin: Int

        /// Creates a merge rule.
        public init(left: [UInt8], right: [UInt8], origin: Int) {
            self.left = left
            self.right = right
            self.origin = origin
        }
    }

    /// Ids of the vocabulary (raw bytes → id).
    let vocabulary: ByteStringTable
    /// Raw bytes of every id below ``vocabularySize`` (nil where the id has no byte-level spelling).
    let bytesForId: [[UInt8]?]
    /// Symbol id → vocabulary id (``unknownId`` when the symbol is not in the vocabulary).
    private let idForSymbol: [Int32]
    /// Symbol id → byte length.
    private let symbolLength: [Int32]
    private let merges: MergeTable
    /// Id used for a symbol missing from the vocabulary.
    public let unknownId: Int
    /// One more than the largest vocabulary id.
    public let vocabularySize: Int

    /// Words longer than this use the heap-based merge loop.
    static let heapThreshold = 48

    /// Builds the model.
    ///
    /// - Parameters:
    ///   - vocabulary: (raw bytes, id) pairs; a repeated byte string keeps its last id.
    ///   - merges: merge rules in rank order.
    ///   - unknownId: id for symbols not in the vocabulary (never needed for a complete byte-level
    ///     vocabulary).
    ///   - source: file name used in error messages.
    /// - Throws: ``TokenizerError/malformedFile(path:reason:)`` if a merge names a symbol (or
    ///   produces one) that is not in the vocabulary, as the Rust `tokenizers` library does.
    ///   - mergeSymbols: when given, merges are checked against these byte strings instead of the
    ///     vocabulary (the original `bpe_encoder.bin` checks against GPT-2's `encoder`).
    public init(vocabulary entries: [(bytes: [UInt8], id: Int)], merges rules: [Merge], unknownId: Int,
                source: String, mergesSource: String, mergeSymbols: [[UInt8]]? = nil) throws {
        var table = ByteStringTable(capacity: entries.count)
        var maxId = -1
        for entry in entries {
            guard entry.id >= 0 && entry.id < Int(Int32.max) else {
                throw TokenizerError.malformedFile(path: source, reason: "token id \(entry.id) is out of range")
            }
            table.set(entry.bytes, Int32(entry.id))
            maxId = max(maxId, entry.id)
        }
        if maxId >= entries.count + TokenIdLimits.largestGap {
            throw TokenizerError.malformedFile(path: source, reason: "token id \(maxId) lies far beyond the vocabulary's \(entries.count) entries (at most \(TokenIdLimits.largestGap) past them: ids index tables)")
        }
        var byId = [[UInt8]?](repeating: nil, count: maxId + 1)
        for entry in entries { byId[entry.id] = entry.bytes }
        vocabulary = table
        bytesForId = byId
        var known = table
        if let mergeSymbols {
            known = ByteStringTable(capacity: mergeSymbols.count)
            for symbol in mergeSymbols { known.set(symbol, 0) }
        }
        vocabularySize = maxId + 1
        self.unknownId = unknownId

        // Symbols: the 256 bytes, then every distinct merge result.
        var symbols = ByteStringTable(capacity: 256 + rules.count)
        var lengths: [Int32] = []
        var symbolBytes: [[UInt8]] = []
        for b in 0..<256 {
            symbols.set([UInt8(b)], Int32(b))
            lengths.append(1)
            symbolBytes.append([UInt8(b)])
        }
        func describe(_ bytes: [UInt8]) -> String { "\"" + ByteLevelAlphabet.spelling(of: bytes) + "\"" }
        for rule in rules {
            guard !rule.left.isEmpty, !rule.right.isEmpty else {
                throw TokenizerError.malformedFile(path: mergesSource, reason: "merge \(rule.origin) has an empty part")
            }
            for part in [rule.left, rule.right] where known.value(for: part) == nil {
                throw TokenizerError.malformedFile(
                    path: mergesSource,
                    reason: "merge \(rule.origin) (\(describe(rule.left)) \(describe(rule.right))) refers to \(describe(part)), which is not in the vocabulary (\(source))")
            }
            let joined = rule.left + rule.right
            if known.value(for: joined) == nil {
                throw TokenizerError.malformedFile(
                    path: mergesSource,
                    reason: "merge \(rule.origin) (\(describe(rule.left)) \(describe(rule.right))) produces \(describe(joined)), which is not in the vocabulary (\(source))")
            }
            if symbols.value(for: joined) == nil {
                symbols.set(joined, Int32(lengths.count))
                lengths.append(Int32(joined.count))
                symbolBytes.append(joined)
            }
        }
        var mergeTable = MergeTable(capacity: rules.count)
        for (rank, rule) in rules.enumerated() {
            // A part that no merge produces can never appear in a word: the rule never fires.
            guard let left = symbols.value(for: rule.left), let right = symbols.value(for: rule.right),
                  let result = symbols.value(for: rule.left + rule.right) else { continue }
            mergeTable.set(left: UInt32(left), right: UInt32(right), rank: UInt32(rank), result: UInt32(result))
        }
        merges = mergeTable
        symbolLength = lengths
        idForSymbol = symbolBytes.map { table.value(for: $0) ?? Int32(unknownId) }
    }

    /// Scratch state: the word cache and merge buffers.
    final class Workspace: TokenizationWorkspace {
        let cache = WordCache()
        var symbols: [UInt32] = []
        var output: [Int32] = []
        var next: [Int32] = []
        var previous: [Int32] = []
        var heap: [UInt64] = []
        var pending: [UInt64] = []
    }

    /// A word cache and merge buffers for one thread.
    public func makeWorkspace() -> TokenizationWorkspace { Workspace() }

    /// The id of a token given by its raw bytes, if it is in the vocabulary.
    public func id(forBytes bytes: [UInt8]) -> Int? {
        vocabulary.value(for: bytes).map(Int.init)
    }

    /// Encodes the word `text[word]`, using the workspace's cache for words up to 256 bytes.
    public func tokenize(_ text: UnsafeBufferPointer<UInt8>, word: Range<Int>, into output: inout [TokenSpan],
                         workspace: TokenizationWorkspace) {
        let n = word.count
        guard n > 0 else { return }
        let base = text.baseAddress! + word.lowerBound
        if n == 1 {
            output.append(TokenSpan(id: idForSymbol[Int(base[0])], start: Int32(word.lowerBound), end: Int32(word.upperBound)))
            return
        }
        let ws = unsafeDowncast(workspace, to: Workspace.self)
        let cacheable = n <= WordCache.maxWordLength
        var hash: UInt64 = 0
        if cacheable {
            hash = hashBytes(base, n)
            if let range = ws.cache.lookup(base, n, hash: hash) {
                emit(ws.cache.values, range, start: word.lowerBound, into: &output)
                return
            }
        }
        if n <= BytePairEncoding.heapThreshold {
            mergeSimple(base, n, ws)
        } else {
            mergeWithHeap(base, n, ws)
        }
        if cacheable {
            ws.output.withUnsafeBufferPointer { ws.cache.insert(base, n, hash: hash, values: $0) }
        }
        emit(ws.output, 0..<ws.output.count, start: word.lowerBound, into: &output)
    }

    /// Runs one of the two merge loops on a word without the cache: (id, byte length) pairs.
    /// For tests that check the two loops agree.
    func mergeUncached(_ word: [UInt8], useHeap: Bool) -> [(id: Int32, length: Int32)] {
        guard !word.isEmpty else { return [] }
        let ws = Workspace()
        word.withUnsafeBufferPointer { buffer in
            if useHeap { mergeWithHeap(buffer.baseAddress!, buffer.count, ws) } else { mergeSimple(buffer.baseAddress!, buffer.count, ws) }
        }
        return stride(from: 0, to: ws.output.count, by: 2).map { (ws.output[$0], ws.output[$0 + 1]) }
    }

    /// Appends tokens from (id, length) pairs.
    @inline(__always)
    private func emit(_ values: [Int32], _ range: Range<Int>, start: Int, into output: inout [TokenSpan]) {
        var position = Int32(start)
        var k = range.lowerBound
        while k < range.upperBound {
            let length = values[k + 1]
            output.append(TokenSpan(id: values[k], start: position, end: position + length))
            position += length
            k += 2
        }
    }

    /// The reference algorithm: find the lowest-ranked pair, merge all its occurrences, repeat.
    private func mergeSimple(_ p: UnsafePointer<UInt8>, _ n: Int, _ ws: Workspace) {
        ws.symbols.removeAll(keepingCapacity: true)
        for i in 0..<n { ws.symbols.append(UInt32(p[i])) }
        ws.symbols.withUnsafeMutableBufferPointer { syms in
            var count = n
            while count > 1 {
                var best = UInt64.max
                var bestIndex = -1
                for i in 0..<(count - 1) {
                    let v = merges.lookup(syms[i], syms[i + 1])
                    if v < best {
                        best = v
                        bestIndex = i
                    }
                }
                if bestIndex < 0 { break }
                let a = syms[bestIndex], b = syms[bestIndex + 1]
                let merged = UInt32(truncatingIfNeeded: best)
                var write = bestIndex
                var read = bestIndex
                while read < count {
                    if read + 1 < count && syms[read] == a && syms[read + 1] == b {
                        syms[write] = merged
                        read += 2
                    } else {
                        syms[write] = syms[read]
                        read += 1
                    }
                    write += 1
                }
                count = write
            }
            ws.output.removeAll(keepingCapacity: true)
            for i in 0..<count {
                let s = Int(syms[i])
                ws.output.append(idForSymbol[s])
                ws.output.append(symbolLength[s])
            }
        }
    }

    /// The same result as ``mergeSimple(_:_:_:)`` in O(n log n): symbols form a linked list, pairs
    /// sit in a min-heap keyed by (rank, position). All occurrences of the current rank are merged
    /// in position order before pairs created by those merges are considered, exactly as the
    /// reference loop does.
    private func mergeWithHeap(_ p: UnsafePointer<UInt8>, _ n: Int, _ ws: Workspace) {
        // Take the buffers out of the workspace so they are mutated in place without class access.
        var symbols = ws.symbols, next = ws.next, previous = ws.previous, pending = ws.pending
        var heap = MinHeap(storage: ws.heap)
        ws.symbols = []; ws.next = []; ws.previous = []; ws.pending = []; ws.heap = []
        symbols.removeAll(keepingCapacity: true)
        next.removeAll(keepingCapacity: true)
        previous.removeAll(keepingCapacity: true)
        heap.storage.removeAll(keepingCapacity: true)
        for i in 0..<n {
            symbols.append(UInt32(p[i]))
            next.append(i + 1 < n ? Int32(i + 1) : -1)
            previous.append(Int32(i - 1))
        }
        // Entry: rank (high 32 bits) | position (low 32 bits).
        for i in 0..<(n - 1) {
            let v = merges.lookup(symbols[i], symbols[i + 1])
            if v != UInt64.max { heap.storage.append((v >> 32) << 32 | UInt64(i)) }
        }
        heap.heapify()
        let dead = UInt32.max
        while let top = heap.pop() {
            let rank = top >> 32
            pending.removeAll(keepingCapacity: true)
            var entry = top
            while true {
                let pos = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF)
                let nextPos = Int(next[pos])
                if symbols[pos] != dead && nextPos >= 0 {
                    let v = merges.lookup(symbols[pos], symbols[nextPos])
                    if v >> 32 == rank {
                        // Merge pos and nextPos into pos.
                        symbols[pos] = UInt32(truncatingIfNeeded: v)
                        symbols[nextPos] = dead
                        let after = next[nextPos]
                        next[pos] = after
                        if after >= 0 { previous[Int(after)] = Int32(pos) }
                        let before = Int(previous[pos])
                        if before >= 0 {
                            let w = merges.lookup(symbols[before], symbols[pos])
                            if w != UInt64.max { pending.append((w >> 32) << 32 | UInt64(before)) }
                        }
                        if after >= 0 {
                            let w = merges.lookup(symbols[pos], symbols[Int(after)])
                            if w != UInt64.max { pending.append((w >> 32) << 32 | UInt64(pos)) }
                        }
                    }
                }
                guard let peek = heap.peek(), peek >> 32 == rank else { break }
                entry = heap.pop()!
            }
            for e in pending { heap.push(e) }
        }
        var output = ws.output
        ws.output = []
        output.removeAll(keepingCapacity: true)
        var i = 0
        while i >= 0 {
            let s = Int(symbols[i])
            output.append(idForSymbol[s])
            output.append(symbolLength[s])
            i = Int(next[i])
        }
        ws.output = output
        ws.symbols = symbols; ws.next = next; ws.previous = previous; ws.pending = pending; ws.heap = heap.storage
    }
}

/// A binary min-heap of `UInt64`.
struct MinHeap {
    var storage: [UInt64]

    mutating func heapify() {
        if storage.count < 2 { return }
        var i = storage.count / 2 - 1
        while i >= 0 {
            siftDown(i)
            i -= 1
        }
    }

    func peek() -> UInt64? { storage.first }

    mutating func push(_ value: UInt64) {
        storage.append(value)
        var i = storage.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if storage[parent] <= storage[i] { break }
            storage.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let first = storage.first else { return nil }
        let last = storage.removeLast()
        if !storage.isEmpty {
            storage[0] = last
            siftDown(0)
        }
        return first
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = storage.count
        while true {
            let l = 2 * i + 1
            if l >= n { return }
            var smallest = l
            let r = l + 1
            if r < n && storage[r] < storage[l] { smallest = r }
            if storage[i] <= storage[smallest] { return }
            storage.swapAt(i, smallest)
            i = smallest
        }
    }
}

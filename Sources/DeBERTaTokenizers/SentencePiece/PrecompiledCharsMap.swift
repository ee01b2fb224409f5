/// SentencePiece's precompiled normalisation map (`NormalizerSpec.precompiled_charsmap`).
///
/// Layout: a little-endian `UInt32` trie size in bytes, then a Darts-clone double-array trie of
/// that many bytes (`UInt32` units), then the replacement strings, each NUL-terminated. A trie
/// key is a UTF-8 sequence to replace; its value is the byte offset of the replacement.
///
/// The whole trie is walked once when loading: every reachable unit index and every value offset
/// is checked, so lookups on any input stay in bounds, even for a corrupt file.
public struct PrecompiledCharsMap: Sendable {
    private let units: [UInt32]
    private let strings: [UInt8]

    /// Parses and validates the blob; `path` names the model file in errors.
    public init(_ blob: [UInt8], path: String) throws {
        func bad(_ why: String) -> TokenizerError {
            TokenizerError.malformedFile(path: path, reason: "precompiled_charsmap is corrupt: \(why)")
        }
        guard blob.count > 4 else { throw bad("only \(blob.count) bytes") }
        let trieSize = Int(blob[0]) | Int(blob[1]) << 8 | Int(blob[2]) << 16 | Int(blob[3]) << 24
        guard trieSize < blob.count - 4 + 1, trieSize % 4 == 0, trieSize >= 4 else {
            throw bad("trie size \(trieSize) does not fit a blob of \(blob.count) bytes")
        }
        var units = [UInt32](repeating: 0, count: trieSize / 4)
        for k in 0..<units.count {
            let o = 4 + 4 * k
            units[k] = UInt32(blob[o]) | UInt32(blob[o + 1]) << 8 | UInt32(blob[o + 2]) << 16 | UInt32(blob[o + 3]) << 24
        }
        let strings = Array(blob[(4 + trieSize)...])
        // Walk every reachable state (a state is fully described by its position).
        var visited = [Bool](repeating: false, count: units.count)
        var checked = Set<Int>()
        let root = Int(PrecompiledCharsMap.offset(units[0]))
        guard root < units.count else { throw bad("root offset out of range") }
        var stack = [root]
        visited[root] = true
        while let position = stack.popLast() {
            for label in 0..<256 {
                let child = position ^ label
                guard child < units.count else { continue }
                let unit = units[child]
                guard PrecompiledCharsMap.label(unit) == UInt32(label) else { continue }
                let next = child ^ Int(PrecompiledCharsMap.offset(unit))
                guard next < units.count else { throw bad("unit \(child) points outside the trie") }
                if PrecompiledCharsMap.hasLeaf(unit) {
                    let value = Int(units[next] & 0x7FFF_FFFF)
                    guard value < strings.count else { throw bad("replacement offset \(value) is outside the strings") }
                    if checked.insert(value).inserted {
                        guard strings[value...].contains(0) else {
                            throw bad("replacement at \(value) is not NUL-terminated")
                        }
                    }
                }
                if !visited[next] {
                    visited[next] = true
                    stack.append(next)
                }
            }
        }
        self.units = units
        self.strings = strings
    }

    @inline(__always) static func hasLeaf(_ unit: UInt32) -> Bool { (unit >> 8) & 1 == 1 }
    @inline(__always) static func label(_ unit: UInt32) -> UInt32 { unit & 0x8000_00FF }
    @inline(__always) static func offset(_ unit: UInt32) -> UInt32 { (unit >> 10) << ((unit & 0x200) >> 6) }

    /// Longest key that is a prefix of `text[start..<end]`: (key length, replacement range in
    /// ``replacementBytes``), or nil when no key matches.
    @inline(__always)
    func longestMatch(_ text: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> (length: Int, replacement: Range<Int>)? {
        units.withUnsafeBufferPointer { a -> (length: Int, replacement: Range<Int>)? in
            var position = Int(PrecompiledCharsMap.offset(a[0]))
            var best: (Int, Int)? = nil
            var i = start
            while i < end {
                let key = Int(text[i])
                position ^= key
                guard position < a.count else { break }
                let unit = a[position]
                if PrecompiledCharsMap.label(unit) != UInt32(key) { break }
                position ^= Int(PrecompiledCharsMap.offset(unit))
                if PrecompiledCharsMap.hasLeaf(unit) {
                    best = (i + 1 - start, Int(a[position] & 0x7FFF_FFFF))
                }
                i += 1
            }
            guard let (length, value) = best else { return nil }
            // Validation guarantees a NUL after every reachable value.
            var stop = value
            strings.withUnsafeBufferPointer { s in
                while s[stop] != 0 { stop += 1 }
            }
            return (length, value..<stop)
        }
    }

    /// The replacement strings blob that ``longestMatch(_:from:to:)`` ranges index into.
    var replacementBytes: [UInt8] { strings }
}

/// Open-addressing map from a pair of symbol ids to (merge rank, merged symbol id).
struct MergeTable: Sendable {
    private static let empty = UInt64.max
    private var keys: [UInt64]
    private var values: [UInt64]
    private let mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: MergeTable.empty, count: size)
        values = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    /// Stores a merge; a later rank for the same pair replaces the earlier one (as Python's
    /// `dict(zip(merges, range(n)))` does).
    mutating func set(left: UInt32, right: UInt32, rank: UInt32, result: UInt32) {
        let key = UInt64(left) << 32 | UInt64(right)
        var s = MergeTable.slot(key, mask)
        while keys[s] != MergeTable.empty && keys[s] != key { s = (s + 1) & mask }
        keys[s] = key
        values[s] = UInt64(rank) << 32 | UInt64(result)
    }

    /// (rank << 32 | result) for the pair, or `UInt64.max` when the pair has no merge.
    @inline(__always)
    func lookup(_ left: UInt32, _ right: UInt32) -> UInt64 {
        let key = UInt64(left) << 32 | UInt64(right)
        var s = MergeTable.slot(key, mask)
        return keys.withUnsafeBufferPointer { k in
            while true {
                let stored = k[s]
                if stored == key { return values[s] }
                if stored == MergeTable.empty { return UInt64.max }
                s = (s + 1) & mask
            }
        }
    }
}

/// Per-thread cache of BPE results, keyed by the word's bytes (arena storage, no per-lookup
/// allocation). It empties itself when full, so memory stays bounded.
final class WordCache {
    private var keyArena: [UInt8] = []
    private var valueArena: [Int32] = []
    private var slots: [Int32]
    private var entryHash: [UInt64] = []
    private var entryKeyStart: [Int32] = []
    private var entryKeyLength: [Int32] = []
    private var entryValueStart: [Int32] = []
    private var entryValueLength: [Int32] = []
    private let mask: Int
    private let maxEntries: Int

    /// Words longer than this are not cached.
    static let maxWordLength = 256

    init(maxEntries: Int = 1 << 16) {
        self.maxEntries = maxEntries
        var size = 16
        while size < maxEntries * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    /// The cached values for the word, as a range into ``values``.
    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ n: Int, hash: UInt64) -> Range<Int>? {
        var s = Int(truncatingIfNeeded: hash) & mask
        while true {
            let e = Int(slots[s])
            if e < 0 { return nil }
            if entryHash[e] == hash && Int(entryKeyLength[e]) == n {
                let start = Int(entryKeyStart[e])
                let equal = keyArena.withUnsafeBufferPointer { arena -> Bool in
                    memcmpBytes(arena.baseAddress! + start, p, n)
                }
                if equal {
                    let v = Int(entryValueStart[e])
                    return v..<v + Int(entryValueLength[e])
                }
            }
            s = (s + 1) & mask
        }
    }

    /// Values storage that ranges from ``lookup(_:_:hash:)`` index into.
    var values: [Int32] { _read { yield valueArena } }

    func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash: UInt64, values newValues: UnsafeBufferPointer<Int32>) {
        if entryHash.count >= maxEntries { clear() }
        var s = Int(truncatingIfNeeded: hash) & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        slots[s] = Int32(entryHash.count)
        entryHash.append(hash)
        entryKeyStart.append(Int32(keyArena.count))
        entryKeyLength.append(Int32(n))
        keyArena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        entryValueStart.append(Int32(valueArena.count))
        entryValueLength.append(Int32(newValues.count))
        valueArena.append(contentsOf: newValues)
    }

    private func clear() {
        for i in slots.indices { slots[i] = -1 }
        keyArena.removeAll(keepingCapacity: true)
        valueArena.removeAll(keepingCapacity: true)
        entryHash.removeAll(keepingCapacity: true)
        entryKeyStart.removeAll(keepingCapacity: true)
        entryKeyLength.removeAll(keepingCapacity: true)
        entryValueStart.removeAll(keepingCapacity: true)
        entryValueLength.removeAll(keepingCapacity: true)
    }
}

@inline(__always)
func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < n {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}

/// A hash of a byte string (fast, not cryptographic).
@inline(__always)
func hashBytes(_ pointer: UnsafePointer<UInt8>?, _ n: Int) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
    guard n > 0, let p = pointer else { return h &* 0x94D0_49BB_1331_11EB }
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= n {
        let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        i += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while i < n {
        tail |= UInt64(p[i]) << shift
        shift += 8
        i += 1
    }
    h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
    h ^= h >> 32
    return h
}

/// An open-addressing map from byte strings to `Int32` values.
///
/// Keys are compared byte for byte, never as Swift `String`s, so vocabulary entries that are
/// canonically equivalent Unicode (NFC vs NFD) stay distinct.
struct ByteStringTable: Sendable {
    private var arena: [UInt8] = []
    private var keyStart: [Int32] = []
    private var keyLength: [Int32] = []
    private var values: [Int32] = []
    private var slots: [Int32]  // index into keyStart/values, or -1
    private var mask: Int

    /// Number of keys stored.
    var count: Int { values.count }

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    /// The value stored for `key`, if any.
    func value(for key: UnsafeBufferPointer<UInt8>) -> Int32? {
        value(for: key.baseAddress, count: key.count, hash: hashBytes(key.baseAddress, key.count))
    }

    func value(for key: [UInt8]) -> Int32? {
        key.withUnsafeBufferPointer { value(for: $0) }
    }

    func value(for p: UnsafePointer<UInt8>?, count n: Int, hash: UInt64) -> Int32? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        return arena.withUnsafeBufferPointer { arenaBuffer -> Int32? in
            while true {
                let entry = slots[slot]
                if entry < 0 { return nil }
                let e = Int(entry)
                if Int(keyLength[e]) == n {
                    let start = Int(keyStart[e])
                    var equal = true
                    var k = 0
                    while k < n {
                        if arenaBuffer[start + k] != p![k] { equal = false; break }
                        k += 1
                    }
                    if equal { return values[e] }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Stores `value` for `key`, replacing any previous value; returns the previous value.
    @discardableResult
    mutating func set(_ key: [UInt8], _ value: Int32) -> Int32? {
        let hash = key.withUnsafeBufferPointer { hashBytes($0.baseAddress, $0.count) }
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { break }
            let e = Int(entry)
            if Int(keyLength[e]) == key.count {
                let start = Int(keyStart[e])
                if arena[start..<start + key.count].elementsEqual(key) {
                    let old = values[e]
                    values[e] = value
                    return old
                }
            }
            slot = (slot + 1) & mask
        }
        slots[slot] = Int32(values.count)
        keyStart.append(Int32(arena.count))
        keyLength.append(Int32(key.count))
        arena.append(contentsOf: key)
        values.append(value)
        if values.count * 2 > slots.count { grow() }
        return nil
    }

    private mutating func grow() {
        let size = slots.count * 2
        var newSlots = [Int32](repeating: -1, count: size)
        let newMask = size - 1
        arena.withUnsafeBufferPointer { arenaBuffer in
            for e in 0..<values.count {
                let start = Int(keyStart[e])
                let hash = hashBytes(arenaBuffer.baseAddress.map { $0 + start }, Int(keyLength[e]))
                var slot = Int(truncatingIfNeeded: hash) & newMask
                while newSlots[slot] >= 0 { slot = (slot + 1) & newMask }
                newSlots[slot] = Int32(e)
            }
        }
        slots = newSlots
        mask = newMask
    }
}

/// An immutable trie over byte strings, for common-prefix search (every key that is a prefix of
/// the text at a position).
///
/// Nodes store their children as a sorted run of (label, target) edges; the root has a direct
/// 256-entry table. Built once at load time.
struct ByteTrie: Sendable {
    private var rootChild = [Int32](repeating: -1, count: 256)
    private var firstEdge: [Int32] = []
    private var edgeCount: [Int32] = []
    private var nodeValue: [Int32] = []
    private var edgeLabel: [UInt8] = []
    private var edgeTarget: [Int32] = []

    /// Builds a trie; a repeated key keeps the last value. Values must be ≥ 0.
    init(keys: [(bytes: [UInt8], value: Int32)]) {
        // Build with per-node sorted children, then flatten breadth-first.
        var children: [[(UInt8, Int32)]] = [[]]
        var values: [Int32] = [-1]
        for (key, value) in keys where !key.isEmpty {
            var node = 0
            for b in key {
                if let edge = children[node].first(where: { $0.0 == b }) {
                    node = Int(edge.1)
                } else {
                    let created = Int32(children.count)
                    children.append([])
                    values.append(-1)
                    children[node].append((b, created))
                    node = Int(created)
                }
            }
            values[node] = value
        }
        // Breadth-first renumbering so siblings' edges are contiguous.
        var order: [Int] = [0]
        var newIndex = [Int32](repeating: -1, count: children.count)
        newIndex[0] = 0
        var head = 0
        while head < order.count {
            let old = order[head]
            head += 1
            for (_, target) in children[old].sorted(by: { $0.0 < $1.0 }) {
                newIndex[Int(target)] = Int32(order.count)
                order.append(Int(target))
            }
        }
        firstEdge = [Int32](repeating: 0, count: order.count)
        edgeCount = [Int32](repeating: 0, count: order.count)
        nodeValue = [Int32](repeating: -1, count: order.count)
        for (new, old) in order.enumerated() {
            nodeValue[new] = values[old]
            let sorted = children[old].sorted(by: { $0.0 < $1.0 })
            firstEdge[new] = Int32(edgeLabel.count)
            edgeCount[new] = Int32(sorted.count)
            for (label, target) in sorted {
                edgeLabel.append(label)
                edgeTarget.append(newIndex[Int(target)])
            }
        }
        for (label, target) in children[0] { rootChild[Int(label)] = newIndex[Int(target)] }
    }

    /// True when the trie has no keys.
    var isEmpty: Bool { nodeValue.count <= 1 }

    /// Calls `body(length, value)` for every key that is a prefix of `text[start..<end]`, shortest first.
    @inline(__always)
    func forEachPrefix(_ text: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, _ body: (Int, Int32) -> Void) {
        guard start < end else { return }
        var node = Int(rootChild[Int(text[start])])
        if node < 0 { return }
        var i = start + 1
        firstEdge.withUnsafeBufferPointer { first in
            edgeCount.withUnsafeBufferPointer { count in
                nodeValue.withUnsafeBufferPointer { value in
                    edgeLabel.withUnsafeBufferPointer { labels in
                        edgeTarget.withUnsafeBufferPointer { targets in
                            while true {
                                let v = value[node]
                                if v >= 0 { body(i - start, v) }
                                if i >= end { return }
                                let b = text[i]
                                var e = Int(first[node])
                                let stop = e + Int(count[node])
                                var found = -1
                                if stop - e <= 8 {
                                    while e < stop {
                                        let l = labels[e]
                                        if l == b { found = Int(targets[e]); break }
                                        if l > b { break }
                                        e += 1
                                    }
                                } else {
                                    var lo = e, hi = stop
                                    while lo < hi {
                                        let mid = (lo + hi) >> 1
                                        let l = labels[mid]
                                        if l == b { found = Int(targets[mid]); break }
                                        if l < b { lo = mid + 1 } else { hi = mid }
                                    }
                                }
                                if found < 0 { return }
                                node = found
                                i += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// Length and value of the longest key that is a prefix of `text[start..<end]`.
    func longestPrefix(_ text: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> (length: Int, value: Int32)? {
        var best: (Int, Int32)? = nil
        forEachPrefix(text, from: start, to: end) { length, value in best = (length, value) }
        return best
    }
}

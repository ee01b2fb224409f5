import Foundation

/// A restricted, non-executing decoder for Python pickles (protocols 0–5).
///
/// It builds ``PickleValue``s instead of Python objects. Only the globals of ``PickleGlobals`` are
/// accepted; any other `GLOBAL`/`STACK_GLOBAL`/`INST` is refused with an error naming it. Every length
/// field is checked against the bytes that remain, and stack size, memo size, container count,
/// nesting depth and the size of the decoded tree are bounded, so hostile input ends in a thrown
/// ``CheckpointError`` rather than a crash, a hang or unbounded memory use.
final class Unpickler {
    /// Resource bounds.
    struct Limits {
        var maximumStackDepth = 5_000_000
        var maximumMemoEntries = 5_000_000
        var maximumContainers = 5_000_000
        /// Deepest nesting of containers in a decoded value (also stops reference cycles).
        var maximumNesting = 512
        /// Widest integer (LONG1/LONG4 payload) accepted, in bytes.
        var maximumIntegerBytes = 1024
        /// Decoded-tree nodes allowed per pickle byte read (stops exponential expansion of shared references).
        var nodesPerByte = 16
        var baseNodeAllowance = 1_000_000
    }

    private let data: UnsafeRawBufferPointer
    private let start: Int
    /// Label for error messages (file path, plus the archive entry where relevant).
    let file: String
    private let limits: Limits
    private var position: Int
    private var opcodeStart: Int
    private var stack: [PickleItem] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleItem] = [:]
    private var arena: [PickleBox] = []
    private var nodesDecoded = 0

    /// Prepares to decode the pickle that begins at byte `start` of `data`. The caller keeps `data` alive.
    init(data: UnsafeRawBufferPointer, start: Int = 0, file: String, limits: Limits = Limits()) {
        self.data = data
        self.start = start
        self.file = file
        self.limits = limits
        self.position = start
        self.opcodeStart = start
    }

    deinit {
        // Break every container edge first so nothing is released recursively.
        for box in arena { box.clear() }
    }

    // MARK: - Errors and raw reads

    func fail(_ message: String) -> CheckpointError {
        CheckpointError(file: file, message: "pickle byte \(opcodeStart): \(message)")
    }

    private var remaining: Int { data.count - position }

    private func need(_ count: Int, for what: String) throws {
        guard count >= 0, count <= remaining else {
            throw fail("truncated pickle: \(what) needs \(count) bytes but only \(remaining) remain")
        }
    }

    private func readByte() throws -> UInt8 {
        try need(1, for: "opcode argument")
        defer { position += 1 }
        return data[position]
    }

    private func readUInt(_ width: Int) throws -> UInt64 {
        try need(width, for: "a \(width)-byte integer")
        var value: UInt64 = 0
        for i in 0..<width { value |= UInt64(data[position + i]) << (8 * UInt64(i)) }
        position += width
        return value
    }

    private func readBytes(_ count: Int) throws -> [UInt8] {
        try need(count, for: "a \(count)-byte payload")
        defer { position += count }
        return Array(data[position..<position + count])
    }

    /// A length field of `width` bytes, checked to fit in the remaining input.
    private func readLength(_ width: Int, signed: Bool = false) throws -> Int {
        let raw = try readUInt(width)
        if signed && width == 4 && raw & 0x8000_0000 != 0 { throw fail("negative length \(Int32(bitPattern: UInt32(raw)))") }
        guard raw <= UInt64(remaining) else {
            throw fail("truncated pickle: length \(raw) exceeds the \(remaining) bytes that remain")
        }
        return Int(raw)
    }

    /// Bytes up to (not including) the next newline, which is consumed.
    private func readLine() throws -> [UInt8] {
        var end = position
        while end < data.count, data[end] != 0x0A { end += 1 }
        guard end < data.count else { throw fail("truncated pickle: missing newline after text argument") }
        defer { position = end + 1 }
        return Array(data[position..<end])
    }

    private func utf8(_ bytes: [UInt8], _ what: String) throws -> String {
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw fail("\(what) is not valid UTF-8") }
        return text
    }

    private func decimal(_ bytes: [UInt8], _ what: String) throws -> Int64 {
        var text = try utf8(bytes, what).trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("L") { text.removeLast() }
        guard let value = Int64(text) else { throw fail("\(what) '\(text)' is not an integer that fits in 64 bits") }
        return value
    }

    // MARK: - Stack

    private var frameStart: Int { marks.last ?? 0 }

    private func push(_ item: PickleItem) throws {
        guard stack.count < limits.maximumStackDepth else { throw fail("stack exceeds \(limits.maximumStackDepth) items") }
        stack.append(item)
    }

    private func push(_ value: PickleValue) throws { try push(.leaf(value)) }

    private func pop() throws -> PickleItem {
        guard stack.count > frameStart else { throw fail("stack underflow") }
        return stack.removeLast()
    }

    private func top() throws -> PickleItem {
        guard stack.count > frameStart else { throw fail("stack underflow") }
        return stack[stack.count - 1]
    }

    private func popMark() throws -> [PickleItem] {
        guard let mark = marks.popLast() else { throw fail("no MARK on the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    func newBox(_ kind: PickleBox.Kind) throws -> PickleBox {
        guard arena.count < limits.maximumContainers else { throw fail("more than \(limits.maximumContainers) containers") }
        let box = PickleBox(kind: kind)
        arena.append(box)
        return box
    }

    private func memoize(_ index: Int) throws {
        let item = try top()
        if memo[index] == nil, memo.count >= limits.maximumMemoEntries {
            throw fail("memo exceeds \(limits.maximumMemoEntries) entries")
        }
        memo[index] = item
    }

    private func recall(_ index: Int) throws {
        guard let item = memo[index] else { throw fail("memo key \(index) is not defined") }
        try push(item)
    }

    // MARK: - Decoding

    /// Runs the pickle to its STOP opcode and returns the decoded value and the offset just past STOP.
    func load() throws -> (value: PickleValue, end: Int) {
        while true {
            opcodeStart = position
            guard position < data.count else { throw fail("truncated pickle: no STOP opcode before the end of the data") }
            let opcode = data[position]
            position += 1
            switch opcode {
            case 0x80:  // PROTO
                let version = try readByte()
                guard version <= 5 else { throw fail("unsupported pickle protocol \(version)") }
            case 0x95:  // FRAME
                _ = try readLength(8)
            case UInt8(ascii: "."):  // STOP
                let result = try convert(try pop())
                return (result, position)
            case UInt8(ascii: "("):  // MARK
                guard marks.count < limits.maximumStackDepth else { throw fail("too many MARKs") }
                marks.append(stack.count)
            case UInt8(ascii: "1"):  // POP_MARK
                _ = try popMark()
            case UInt8(ascii: "0"):  // POP
                if stack.count > frameStart { stack.removeLast() } else { _ = try popMark() }
            case UInt8(ascii: "2"):  // DUP
                try push(try top())

            // Scalars
            case UInt8(ascii: "N"): try push(.none)
            case 0x88: try push(.bool(true))
            case 0x89: try push(.bool(false))
            case UInt8(ascii: "I"):  // INT (text; 00/01 are False/True)
                let line = try readLine()
                if line == Array("00".utf8) { try push(.bool(false)) }
                else if line == Array("01".utf8) { try push(.bool(true)) }
                else { try push(.int(try decimal(line, "INT argument"))) }
            case UInt8(ascii: "J"): try push(.int(Int64(Int32(bitPattern: UInt32(try readUInt(4))))))
            case UInt8(ascii: "K"): try push(.int(Int64(try readByte())))
            case UInt8(ascii: "M"): try push(.int(Int64(try readUInt(2))))
            case UInt8(ascii: "L"):  // LONG (text)
                try push(.int(try decimal(try readLine(), "LONG argument")))
            case 0x8A:  // LONG1
                try push(try integer(littleEndian: try readBytes(Int(try readByte()))))
            case 0x8B:  // LONG4
                let count = try readLength(4, signed: true)
                guard count <= limits.maximumIntegerBytes else { throw fail("LONG4 integer of \(count) bytes is too large") }
                try push(try integer(littleEndian: try readBytes(count)))
            case UInt8(ascii: "F"):  // FLOAT (text)
                let text = try utf8(try readLine(), "FLOAT argument")
                guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else { throw fail("FLOAT argument '\(text)' is not a number") }
                try push(.float(value))
            case UInt8(ascii: "G"):  // BINFLOAT, big-endian
                try need(8, for: "BINFLOAT")
                var bits: UInt64 = 0
                for i in 0..<8 { bits = bits << 8 | UInt64(data[position + i]) }
                position += 8
                try push(.float(Double(bitPattern: bits)))

            // Strings and bytes
            case UInt8(ascii: "S"):  // STRING (quoted, escaped)
                try push(.string(try utf8(try unquotePythonString(try readLine()), "STRING argument")))
            case UInt8(ascii: "T"):  // BINSTRING
                try push(.string(try utf8(try readBytes(try readLength(4, signed: true)), "BINSTRING argument")))
            case UInt8(ascii: "U"):  // SHORT_BINSTRING
                try push(.string(try utf8(try readBytes(try readLength(1)), "SHORT_BINSTRING argument")))
            case UInt8(ascii: "V"):  // UNICODE (raw-unicode-escape)
                try push(.string(try rawUnicodeEscape(try readLine())))
            case UInt8(ascii: "X"):  // BINUNICODE
                try push(.string(try utf8(try readBytes(try readLength(4)), "BINUNICODE argument")))
            case 0x8C:  // SHORT_BINUNICODE
                try push(.string(try utf8(try readBytes(try readLength(1)), "SHORT_BINUNICODE argument")))
            case 0x8D:  // BINUNICODE8
                try push(.string(try utf8(try readBytes(try readLength(8)), "BINUNICODE8 argument")))
            case UInt8(ascii: "B"): try push(.bytes(try readBytes(try readLength(4))))  // BINBYTES
            case UInt8(ascii: "C"): try push(.bytes(try readBytes(try readLength(1))))  // SHORT_BINBYTES
            case 0x8E, 0x96: try push(.bytes(try readBytes(try readLength(8))))  // BINBYTES8, BYTEARRAY8
            case 0x97: throw fail("NEXT_BUFFER (out-of-band pickle buffers) is not supported")
            case 0x98: _ = try top()  // READONLY_BUFFER: no effect on a decoded value

            // Containers
            case UInt8(ascii: ")"): try push(.tuple([]))
            case UInt8(ascii: "t"):
                let box = try newBox(.tuple)
                box.elements = try popMark()
                try push(.box(box))
            case 0x85, 0x86, 0x87:  // TUPLE1..3
                let count = Int(opcode - 0x84)
                guard stack.count - frameStart >= count else { throw fail("stack underflow") }
                let box = try newBox(.tuple)
                box.elements = Array(stack[(stack.count - count)...])
                stack.removeLast(count)
                try push(.box(box))
            case UInt8(ascii: "]"): try push(.box(try newBox(.list)))
            case UInt8(ascii: "l"):
                let box = try newBox(.list)
                box.elements = try popMark()
                try push(.box(box))
            case UInt8(ascii: "}"): try push(.box(try newBox(.dict)))
            case UInt8(ascii: "d"):
                let items = try popMark()
                let box = try newBox(.dict)
                try setItems(box, items)
                try push(.box(box))
            case 0x8F: try push(.box(try newBox(.set(frozen: false))))  // EMPTY_SET
            case 0x91:  // FROZENSET
                let items = try popMark()
                let box = try newBox(.set(frozen: true))
                for item in items { try addToSet(box, item) }
                try push(.box(box))
            case 0x90:  // ADDITEMS
                let items = try popMark()
                guard case .box(let box) = try top(), case .set(frozen: false) = box.kind else { throw fail("ADDITEMS target is not a set") }
                for item in items { try addToSet(box, item) }
            case UInt8(ascii: "a"):  // APPEND
                let value = try pop()
                try listTarget().elements.append(value)
            case UInt8(ascii: "e"):  // APPENDS
                let items = try popMark()
                try listTarget().elements.append(contentsOf: items)
            case UInt8(ascii: "s"):  // SETITEM
                let value = try pop()
                let key = try pop()
                try setItems(try dictTarget(), [key, value])
            case UInt8(ascii: "u"):  // SETITEMS
                let items = try popMark()
                try setItems(try dictTarget(), items)

            // Globals and calls
            case UInt8(ascii: "c"):  // GLOBAL
                let module = try utf8(try readLine(), "GLOBAL module")
                let name = try utf8(try readLine(), "GLOBAL name")
                try push(try resolveGlobal(module, name))
            case 0x93:  // STACK_GLOBAL
                guard case .leaf(.string(let name)) = try pop(), case .leaf(.string(let module)) = try pop() else {
                    throw fail("STACK_GLOBAL needs two strings")
                }
                try push(try resolveGlobal(module, name))
            case UInt8(ascii: "i"):  // INST
                let module = try utf8(try readLine(), "INST module")
                let name = try utf8(try readLine(), "INST name")
                let arguments = try popMark()
                guard case .global(let m, let n) = try resolveGlobal(module, name) else { throw fail("INST target is not a global") }
                try push(try call(module: m, name: n, arguments: arguments))
            case UInt8(ascii: "o"):  // OBJ
                var items = try popMark()
                guard !items.isEmpty, case .leaf(.global(let module, let name)) = items.removeFirst() else {
                    throw fail("OBJ needs a class")
                }
                try push(try call(module: module, name: name, arguments: items))
            case UInt8(ascii: "R"), 0x81:  // REDUCE, NEWOBJ
                let arguments = try tupleElements(try pop(), opcode == 0x81 ? "NEWOBJ" : "REDUCE")
                guard case .leaf(.global(let module, let name)) = try pop() else {
                    throw fail("\(opcode == 0x81 ? "NEWOBJ" : "REDUCE") target is not a global")
                }
                try push(try call(module: module, name: name, arguments: arguments))
            case 0x92:  // NEWOBJ_EX
                let keywords = try pop()
                let arguments = try tupleElements(try pop(), "NEWOBJ_EX")
                guard case .box(let kw) = keywords, case .dict = kw.kind, kw.keys.isEmpty else {
                    throw fail("NEWOBJ_EX with keyword arguments is not supported")
                }
                guard case .leaf(.global(let module, let name)) = try pop() else { throw fail("NEWOBJ_EX target is not a global") }
                try push(try call(module: module, name: name, arguments: arguments))
            case UInt8(ascii: "b"):  // BUILD
                let state = try pop()
                try build(try top(), state: state)
            case UInt8(ascii: "Q"):  // BINPERSID
                let identifier = try convert(try pop())
                try push(.storage(try storageReference(persistentID: identifier)))
            case UInt8(ascii: "P"):  // PERSID
                let text = String(decoding: try readLine(), as: UTF8.self)
                throw fail("text persistent id '\(text)' (PERSID) is not supported")
            case 0x82, 0x83, 0x84:
                throw fail("extension-registry opcodes (EXT1/EXT2/EXT4) are not supported")

            // Memo
            case UInt8(ascii: "p"): try memoize(Int(try decimal(try readLine(), "PUT index")))
            case UInt8(ascii: "q"): try memoize(Int(try readByte()))
            case UInt8(ascii: "r"): try memoize(Int(try readUInt(4)))
            case 0x94: try memoize(memo.count)  // MEMOIZE
            case UInt8(ascii: "g"): try recall(Int(try decimal(try readLine(), "GET index")))
            case UInt8(ascii: "h"): try recall(Int(try readByte()))
            case UInt8(ascii: "j"): try recall(Int(try readUInt(4)))

            default:
                throw fail(String(format: "unknown pickle opcode 0x%02x", opcode))
            }
        }
    }

    // MARK: - Container helpers

    private func listTarget() throws -> PickleBox {
        guard case .box(let box) = try top(), case .list = box.kind else { throw fail("APPEND target is not a list") }
        return box
    }

    private func dictTarget() throws -> PickleBox {
        guard case .box(let box) = try top(), case .dict = box.kind else { throw fail("SETITEM target is not a dict") }
        return box
    }

    /// Adds alternating key/value `items` to `box`, replacing values of keys already present.
    func setItems(_ box: PickleBox, _ items: [PickleItem]) throws {
        guard items.count % 2 == 0 else { throw fail("odd number of items for a dict") }
        var i = 0
        while i < items.count {
            let key = try convert(items[i])
            if let existing = box.index[key] {
                box.values[existing] = items[i + 1]
            } else {
                box.index[key] = box.keys.count
                box.keys.append(items[i])
                box.values.append(items[i + 1])
            }
            i += 2
        }
    }

    /// Adds `item` to the set `box` unless an equal element is present.
    func addToSet(_ box: PickleBox, _ item: PickleItem) throws {
        let key = try convert(item)
        guard box.index[key] == nil else { return }
        box.index[key] = box.elements.count
        box.elements.append(item)
    }

    /// The elements of an argument tuple.
    private func tupleElements(_ item: PickleItem, _ opcodeName: String) throws -> [PickleItem] {
        switch item {
        case .box(let box):
            if case .tuple = box.kind { return box.elements }
        case .leaf(.tuple(let values)):
            return values.map { .leaf($0) }
        default: break
        }
        throw fail("\(opcodeName) arguments are not a tuple")
    }

    private func build(_ target: PickleItem, state: PickleItem) throws {
        switch target {
        case .box(let box):
            switch box.kind {
            case .dict: return  // OrderedDict instance attributes such as `_metadata`: not needed
            case .object: box.state = state
            default: throw fail("BUILD on a \(box.kindName) is not supported")
            }
        case .leaf(.tensor):
            return  // Python-level tensor attributes: irrelevant for the values
        case .leaf(let value):
            throw fail("BUILD on \(Self.describe(value)) is not supported")
        }
    }

    // MARK: - Conversion to PickleValue

    /// The finished value of `item`, with nesting and total size bounded.
    func convert(_ item: PickleItem) throws -> PickleValue {
        try convert(item, depth: 0)
    }

    private func convert(_ item: PickleItem, depth: Int) throws -> PickleValue {
        guard depth < limits.maximumNesting else {
            throw fail("object nested deeper than \(limits.maximumNesting) levels (or a reference cycle)")
        }
        nodesDecoded += 1
        let allowance = limits.baseNodeAllowance + limits.nodesPerByte * (position - start)
        guard nodesDecoded <= allowance else {
            throw fail("decoded object grows beyond \(allowance) nodes (shared references expanding)")
        }
        switch item {
        case .leaf(let value):
            return value
        case .box(let box):
            switch box.kind {
            case .list: return .list(try box.elements.map { try convert($0, depth: depth + 1) })
            case .tuple: return .tuple(try box.elements.map { try convert($0, depth: depth + 1) })
            case .set: return .set(try box.elements.map { try convert($0, depth: depth + 1) })
            case .dict:
                var pairs: [(key: PickleValue, value: PickleValue)] = []
                pairs.reserveCapacity(box.keys.count)
                for (key, value) in zip(box.keys, box.values) {
                    pairs.append((try convert(key, depth: depth + 1), try convert(value, depth: depth + 1)))
                }
                return .dict(pairs)
            case .object(let module, let name):
                return .object(module: module, name: name,
                               arguments: try box.elements.map { try convert($0, depth: depth + 1) },
                               state: try box.state.map { try convert($0, depth: depth + 1) })
            }
        }
    }

    /// A short description of a value's kind for error messages.
    static func describe(_ value: PickleValue) -> String {
        switch value {
        case .none: return "None"
        case .bool: return "a bool"
        case .int, .bigInt: return "an int"
        case .float: return "a float"
        case .string(let text): return "the string '\(text.prefix(40))'"
        case .bytes: return "bytes"
        case .list: return "a list"
        case .tuple: return "a tuple"
        case .dict: return "a dict"
        case .set: return "a set"
        case .global(let module, let name): return "\(module).\(name)"
        case .object(let module, let name, _, _): return "a \(module).\(name) object"
        case .storage: return "a storage"
        case .tensor: return "a tensor"
        }
    }

    // MARK: - Text argument decoding

    /// An integer from little-endian two's-complement bytes: `.int` when it fits in 64 bits.
    private func integer(littleEndian bytes: [UInt8]) throws -> PickleValue {
        var trimmed = bytes
        while trimmed.count > 1 {
            let last = trimmed[trimmed.count - 1]
            let signOfNext = trimmed[trimmed.count - 2] & 0x80
            guard (last == 0 && signOfNext == 0) || (last == 0xFF && signOfNext != 0) else { break }
            trimmed.removeLast()
        }
        guard !trimmed.isEmpty else { return .int(0) }
        guard trimmed.count <= 8 else { return .bigInt(littleEndianBytes: trimmed) }
        var value: UInt64 = trimmed.last! & 0x80 != 0 ? ~0 : 0
        for (i, byte) in trimmed.enumerated() {
            value &= ~(UInt64(0xFF) << (8 * UInt64(i)))
            value |= UInt64(byte) << (8 * UInt64(i))
        }
        return .int(Int64(bitPattern: value))
    }

    /// The bytes of a protocol-0 `STRING` argument: strips the quotes and decodes Python escapes.
    private func unquotePythonString(_ line: [UInt8]) throws -> [UInt8] {
        guard line.count >= 2, let quote = line.first, quote == line.last,
              quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
            throw fail("STRING argument is not quoted")
        }
        let body = line[1..<(line.count - 1)]
        var out: [UInt8] = []
        var i = body.startIndex
        func hexValue(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while i < body.endIndex {
            let c = body[i]
            i += 1
            guard c == UInt8(ascii: "\\"), i < body.endIndex else { out.append(c); continue }
            let e = body[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(e)
            case UInt8(ascii: "\n"): break
            case UInt8(ascii: "x"):
                guard i + 1 < body.endIndex, let high = hexValue(body[i]), let low = hexValue(body[i + 1]) else {
                    throw fail("invalid \\x escape in STRING argument")
                }
                out.append(high << 4 | low)
                i += 2
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(e - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, i < body.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(body[i]) {
                    value = value * 8 + Int(body[i] - UInt8(ascii: "0"))
                    i += 1
                    digits += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            default:
                out.append(c)
                out.append(e)
            }
        }
        return out
    }

    /// A protocol-0 `UNICODE` argument: latin-1 bytes with `\uXXXX` and `\UXXXXXXXX` escapes.
    private func rawUnicodeEscape(_ line: [UInt8]) throws -> String {
        var scalars = String.UnicodeScalarView()
        var i = 0
        while i < line.count {
            if line[i] == UInt8(ascii: "\\"), i + 1 < line.count, line[i + 1] == UInt8(ascii: "u") || line[i + 1] == UInt8(ascii: "U") {
                let width = line[i + 1] == UInt8(ascii: "u") ? 4 : 8
                guard i + 2 + width <= line.count,
                      let code = UInt32(String(decoding: line[(i + 2)..<(i + 2 + width)], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(code) else {
                    throw fail("invalid escape in UNICODE argument")
                }
                scalars.append(scalar)
                i += 2 + width
            } else {
                scalars.append(Unicode.Scalar(line[i]))
                i += 1
            }
        }
        return String(scalars)
    }
}

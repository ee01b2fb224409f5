/// A Python object decoded by the restricted unpickler.
///
/// Nothing is executed while decoding: only plain containers, scalars and the PyTorch rebuild
/// functions are understood, and any other global is refused (see ``TorchPickleFile``).
/// Dicts keep their items in pickle order as key/value pairs, since keys need not be strings.
public indirect enum PickleValue: Sendable {
    /// `None`.
    case none
    /// `True` / `False`.
    case bool(Bool)
    /// An integer that fits in 64 bits.
    case int(Int64)
    /// An integer wider than 64 bits, as minimal little-endian two's-complement bytes (pickle LONG1/LONG4).
    case bigInt(littleEndianBytes: [UInt8])
    /// A Python float.
    case float(Double)
    /// A Python `str` (also Python 2 `str` pickles, decoded as UTF-8).
    case string(String)
    /// A Python `bytes` or `bytearray`.
    case bytes([UInt8])
    /// A Python `list`.
    case list([PickleValue])
    /// A Python `tuple` (also `torch.Size`).
    case tuple([PickleValue])
    /// A `dict` or `collections.OrderedDict`, items in insertion order.
    case dict([(key: PickleValue, value: PickleValue)])
    /// A `set` or `frozenset`, items in insertion order.
    case set([PickleValue])
    /// A whitelisted global referenced but not called (e.g. the class `torch.FloatStorage`).
    case global(module: String, name: String)
    /// A whitelisted class applied to arguments that has no closer representation (e.g. `torch.device('cpu')`),
    /// with the state given by a later BUILD, if any.
    case object(module: String, name: String, arguments: [PickleValue], state: PickleValue?)
    /// A PyTorch storage, referenced by its persistent id (its bytes live elsewhere in the file).
    case storage(TorchStorageReference)
    /// A PyTorch tensor: a view of a storage (`torch._utils._rebuild_tensor_v2` and relatives).
    case tensor(TorchTensorReference)
}

extension PickleValue {
    /// The string, if this is `.string`.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The integer, if this is `.int` (or `.bool`, as in Python).
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    /// The elements, if this is a `.list`, `.tuple` or `.set`.
    public var elements: [PickleValue]? {
        switch self {
        case .list(let items), .tuple(let items), .set(let items): return items
        default: return nil
        }
    }

    /// The items, if this is a `.dict`.
    public var dictItems: [(key: PickleValue, value: PickleValue)]? {
        if case .dict(let items) = self { return items }
        return nil
    }

    /// The value stored under the string key `key`, if this is a `.dict` containing it.
    public subscript(key: String) -> PickleValue? {
        guard case .dict(let items) = self else { return nil }
        return items.first { $0.key == .string(key) }?.value
    }
}

extension PickleValue: Hashable {
    /// Structural equality (dict items compared in order; floats by value, so NaN ≠ NaN as in Swift).
    public static func == (lhs: PickleValue, rhs: PickleValue) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.bigInt(let a), .bigInt(let b)): return a == b
        case (.float(let a), .float(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)), (.set(let a), .set(let b)): return a == b
        case (.dict(let a), .dict(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.global(let m1, let n1), .global(let m2, let n2)): return m1 == m2 && n1 == n2
        case (.object(let m1, let n1, let a1, let s1), .object(let m2, let n2, let a2, let s2)):
            return m1 == m2 && n1 == n2 && a1 == a2 && s1 == s2
        case (.storage(let a), .storage(let b)): return a == b
        case (.tensor(let a), .tensor(let b)): return a == b
        default: return false
        }
    }

    /// Hashes the structure, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .none: hasher.combine(0)
        case .bool(let value): hasher.combine(1); hasher.combine(value)
        case .int(let value): hasher.combine(2); hasher.combine(value)
        case .bigInt(let bytes): hasher.combine(3); hasher.combine(bytes)
        case .float(let value): hasher.combine(4); hasher.combine(value)
        case .string(let text): hasher.combine(5); hasher.combine(text)
        case .bytes(let bytes): hasher.combine(6); hasher.combine(bytes)
        case .list(let items): hasher.combine(7); hasher.combine(items)
        case .tuple(let items): hasher.combine(8); hasher.combine(items)
        case .dict(let items):
            hasher.combine(9)
            hasher.combine(items.count)
            for item in items { hasher.combine(item.key); hasher.combine(item.value) }
        case .set(let items): hasher.combine(10); hasher.combine(items)
        case .global(let module, let name): hasher.combine(11); hasher.combine(module); hasher.combine(name)
        case .object(let module, let name, let arguments, let state):
            hasher.combine(12); hasher.combine(module); hasher.combine(name); hasher.combine(arguments); hasher.combine(state)
        case .storage(let reference): hasher.combine(13); hasher.combine(reference)
        case .tensor(let reference): hasher.combine(14); hasher.combine(reference)
        }
    }
}

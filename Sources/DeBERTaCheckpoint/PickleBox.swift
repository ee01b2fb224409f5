/// A value on the unpickler's stack or in its memo: an immutable ``PickleValue`` or a mutable
/// container that later opcodes may still fill (Python containers have reference semantics, so an
/// APPEND must be visible through every memo reference to the list).
enum PickleItem {
    case leaf(PickleValue)
    case box(PickleBox)
}

/// A container under construction during unpickling.
///
/// Boxes are owned by the unpickler's arena, which empties them before releasing them, so a deeply
/// nested or cyclic graph built by a hostile pickle never causes a recursive teardown.
final class PickleBox {
    enum Kind {
        case list
        case tuple
        case dict
        case set(frozen: Bool)
        /// A whitelisted class applied to arguments (`elements`), e.g. `torch.device`.
        case object(module: String, name: String)
    }

    let kind: Kind
    /// Elements of a list, tuple or set; arguments of an object.
    var elements: [PickleItem] = []
    /// Keys and values of a dict, in insertion order.
    var keys: [PickleItem] = []
    var values: [PickleItem] = []
    /// Position of each decoded key in `keys` (dicts) or `elements` (sets), for Python's overwrite semantics.
    var index: [PickleValue: Int] = [:]
    /// State given by BUILD (objects only).
    var state: PickleItem?

    init(kind: Kind) { self.kind = kind }

    /// Drops every reference this box holds.
    func clear() {
        elements = []
        keys = []
        values = []
        index = [:]
        state = nil
    }

    /// Name of the container kind for error messages.
    var kindName: String {
        switch kind {
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .set(let frozen): return frozen ? "frozenset" : "set"
        case .object(let module, let name): return "\(module).\(name) object"
        }
    }
}

/// The globals the restricted unpickler accepts, and what calling each of them produces.
///
/// Accepted: `collections.OrderedDict`; `torch._utils._rebuild_tensor_v2`, `_rebuild_tensor`,
/// `_rebuild_parameter`, `_rebuild_parameter_with_state`; the storage classes `torch.<T>Storage`
/// (also `torch.cuda.<T>Storage` from GPU-era legacy files, and `torch.UntypedStorage`);
/// `torch.device`; `torch.Size`; `builtins.set`/`frozenset` (`__builtin__` in protocol-2 pickles);
/// and `_codecs.encode`, which protocol-2 pickles use to encode `bytes` (only its latin-1 form).
/// Everything else — `os.system`, `builtins.eval`, `subprocess.*`, user classes such as an
/// original-repo `ModelConfig` — is refused when the global is first named.
enum PickleGlobals {
    /// Whether `module.name` may appear in a pickle.
    static func isAllowed(module: String, name: String) -> Bool {
        switch module {
        case "collections": return name == "OrderedDict"
        case "torch._utils":
            return ["_rebuild_tensor_v2", "_rebuild_tensor", "_rebuild_parameter", "_rebuild_parameter_with_state"].contains(name)
        case "torch": return name == "device" || name == "Size" || DType(torchStorageName: name) != nil
        case "torch.cuda": return name != "UntypedStorage" && DType(torchStorageName: name) != nil
        case "builtins", "__builtin__": return name == "set" || name == "frozenset"
        case "_codecs": return name == "encode"
        default: return false
        }
    }
}

extension Unpickler {
    /// The value pushed by GLOBAL/STACK_GLOBAL, or an error refusing a global not on the whitelist.
    func resolveGlobal(_ module: String, _ name: String) throws -> PickleValue {
        guard PickleGlobals.isAllowed(module: module, name: name) else {
            throw fail("refusing to load global \(module).\(name) (only PyTorch tensor/storage rebuild functions and plain containers are allowed)")
        }
        return .global(module: module, name: name)
    }

    /// The result of calling the whitelisted global `module.name` with `arguments` (REDUCE, NEWOBJ, INST, OBJ).
    func call(module: String, name: String, arguments: [PickleItem]) throws -> PickleItem {
        let qualified = "\(module).\(name)"
        switch (module, name) {
        case ("collections", "OrderedDict"):
            let box = try newBox(.dict)
            guard arguments.count <= 1 else { throw fail("\(qualified) called with \(arguments.count) arguments") }
            if let source = arguments.first {
                for pair in try sequenceElements(source, of: qualified) {
                    let items = try sequenceElements(pair, of: qualified)
                    guard items.count == 2 else { throw fail("\(qualified) item is not a (key, value) pair") }
                    try setItems(box, items)
                }
            }
            return .box(box)
        case ("builtins", "set"), ("__builtin__", "set"), ("builtins", "frozenset"), ("__builtin__", "frozenset"):
            let box = try newBox(.set(frozen: name == "frozenset"))
            guard arguments.count <= 1 else { throw fail("\(qualified) called with \(arguments.count) arguments") }
            if let source = arguments.first {
                for item in try sequenceElements(source, of: qualified) { try addToSet(box, item) }
            }
            return .box(box)
        case ("_codecs", "encode"):
            let values = try arguments.map { try convert($0) }
            guard values.count == 2, case .string(let text) = values[0], case .string(let encoding) = values[1],
                  ["latin1", "latin-1", "iso-8859-1"].contains(encoding.lowercased()) else {
                throw fail("_codecs.encode is only supported as encode(str, 'latin1')")
            }
            var bytes: [UInt8] = []
            for scalar in text.unicodeScalars {
                guard scalar.value <= 0xFF else { throw fail("_codecs.encode: character outside latin-1") }
                bytes.append(UInt8(scalar.value))
            }
            return .leaf(.bytes(bytes))
        case ("torch", "Size"):
            guard arguments.count == 1 else { throw fail("torch.Size called with \(arguments.count) arguments") }
            let box = try newBox(.tuple)
            box.elements = try sequenceElements(arguments[0], of: qualified)
            return .box(box)
        case ("torch", "device"):
            let box = try newBox(.object(module: module, name: name))
            box.elements = arguments
            return .box(box)
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            let values = try arguments.map { try convert($0) }
            let minimum = name == "_rebuild_tensor" ? 4 : 5
            guard values.count >= minimum, values.count <= 7 else {
                throw fail("\(qualified) called with \(values.count) arguments")
            }
            return .leaf(.tensor(try tensorReference(values, function: qualified)))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            let values = try arguments.map { try convert($0) }
            guard values.count >= 2, case .tensor(let tensor) = values[0] else {
                throw fail("\(qualified) does not wrap a tensor")
            }
            let requiresGrad = values[1].intValue.map { $0 != 0 } ?? false
            return .leaf(.tensor(TorchTensorReference(storage: tensor.storage, storageOffset: tensor.storageOffset,
                                                      shape: tensor.shape, strides: tensor.strides,
                                                      requiresGrad: requiresGrad)))
        default:
            throw fail("calling \(qualified) is not supported (storages must come from persistent ids)")
        }
    }

    /// The elements of a list, tuple or set argument.
    private func sequenceElements(_ item: PickleItem, of function: String) throws -> [PickleItem] {
        switch item {
        case .box(let box):
            switch box.kind {
            case .list, .tuple, .set: return box.elements
            default: break
            }
        case .leaf(let value):
            if let elements = value.elements { return elements.map { .leaf($0) } }
        }
        throw fail("\(function) argument is not a sequence")
    }

    /// `[Int]` from a tuple or list of non-negative integers.
    private func indices(_ value: PickleValue, _ what: String, function: String) throws -> [Int] {
        guard let elements = value.elements else { throw fail("\(function): \(what) is \(Self.describe(value)), expected a tuple") }
        return try elements.map { element in
            guard case .int(let raw) = element, raw >= 0, let number = Int(exactly: raw) else {
                throw fail("\(function): \(what) holds \(Self.describe(element)), expected non-negative integers")
            }
            return number
        }
    }

    /// Builds a tensor reference from `_rebuild_tensor(_v2)` arguments
    /// `(storage, storage_offset, size, stride[, requires_grad, backward_hooks[, metadata]])`.
    private func tensorReference(_ values: [PickleValue], function: String) throws -> TorchTensorReference {
        guard case .storage(let storage) = values[0] else {
            throw fail("\(function): first argument is \(Self.describe(values[0])), expected a storage")
        }
        guard case .int(let rawOffset) = values[1], rawOffset >= 0, let offset = Int(exactly: rawOffset) else {
            throw fail("\(function): storage offset is not a non-negative integer")
        }
        let shape = try indices(values[2], "size", function: function)
        let strides = try indices(values[3], "stride", function: function)
        guard shape.count == strides.count else {
            throw fail("\(function): size has \(shape.count) dimensions but stride has \(strides.count)")
        }
        let requiresGrad = values.count > 4 ? (values[4].intValue.map { $0 != 0 } ?? false) : false
        return TorchTensorReference(storage: storage, storageOffset: offset, shape: shape, strides: strides,
                                    requiresGrad: requiresGrad)
    }

    /// Interprets a BINPERSID persistent id: `('storage', storage_type, key, location, numel)` or, in
    /// legacy files, the same with a sixth item `view_metadata` = `None` or `(view_key, offset, numel)`.
    func storageReference(persistentID identifier: PickleValue) throws -> TorchStorageReference {
        func text(_ value: PickleValue) -> String? {
            switch value {
            case .string(let string): return string
            case .bytes(let bytes): return String(bytes: bytes, encoding: .ascii)
            default: return nil
            }
        }
        func count(_ value: PickleValue) -> Int? {
            guard case .int(let raw) = value, raw >= 0 else { return nil }
            return Int(exactly: raw)
        }
        guard case .tuple(let items) = identifier, let first = items.first, let tag = text(first) else {
            throw fail("unsupported persistent id \(Self.describe(identifier))")
        }
        guard tag == "storage" else {
            if tag == "module" {
                throw fail("persistent id 'module': a whole nn.Module saved with torch.save is not supported; save its state_dict")
            }
            throw fail("unsupported persistent id type '\(tag)'")
        }
        guard items.count == 5 || items.count == 6 else {
            throw fail("storage persistent id has \(items.count) items, expected 5 or 6")
        }
        guard case .global(let module, let typeName) = items[1], let dtype = DType(torchStorageName: typeName) else {
            throw fail("storage persistent id names \(Self.describe(items[1])), expected a torch storage class")
        }
        _ = module
        guard let key = text(items[2]), let location = text(items[3]), let numel = count(items[4]) else {
            throw fail("malformed storage persistent id (key, location, numel)")
        }
        guard items.count == 6, items[5] != .none else {
            return TorchStorageReference(dtype: dtype, key: key, location: location, elementCount: numel)
        }
        guard let view = items[5].elements, view.count == 3, text(view[0]) != nil,
              let viewOffset = count(view[1]), let viewCount = count(view[2]) else {
            throw fail("malformed storage view metadata \(Self.describe(items[5]))")
        }
        guard viewOffset <= numel, viewCount <= numel - viewOffset else {
            throw fail("storage view [\(viewOffset), +\(viewCount)) lies outside storage '\(key)' of \(numel) elements")
        }
        return TorchStorageReference(dtype: dtype, key: key, location: location, elementCount: numel,
                                     viewOffset: viewOffset, viewElementCount: viewCount)
    }
}

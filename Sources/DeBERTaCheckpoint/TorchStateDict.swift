/// Extracting the tensors of a decoded `torch.save` state dict.
enum TorchStateDict {
    /// Every tensor entry of the top-level dict `object`, materialised from the storage bytes that
    /// `storageBytes` returns for each storage reference (called once per storage key).
    ///
    /// Entries whose key is not a string or whose value is not a tensor (e.g. a `config` dict) are skipped.
    static func tensors(in object: PickleValue, file: String, byteSwap: Bool,
                        storageBytes: (TorchStorageReference, _ tensorName: String) throws -> TensorBytes) throws -> [String: StoredTensor] {
        guard case .dict(let items) = object else {
            throw CheckpointError(file: file, message: "top-level object is \(Unpickler.describe(object)), expected a state dict")
        }
        var cache: [String: TensorBytes] = [:]
        var tensors: [String: StoredTensor] = [:]
        for (key, value) in items {
            guard case .string(let name) = key, case .tensor(let reference) = value else { continue }
            let storage: TensorBytes
            if let cached = cache[reference.storage.key] {
                storage = cached
            } else {
                storage = try storageBytes(reference.storage, name)
                cache[reference.storage.key] = storage
            }
            tensors[name] = try TorchTensorMaterializer.tensor(reference, storage: storage, byteSwap: byteSwap,
                                                               file: file, name: name)
        }
        return tensors
    }

    /// Every storage referenced anywhere inside `value`, by key. Throws if one key is used with
    /// different storage types or sizes.
    static func storages(in value: PickleValue, file: String) throws -> [String: TorchStorageReference] {
        var found: [String: TorchStorageReference] = [:]
        func record(_ storage: TorchStorageReference) throws {
            if let known = found[storage.key] {
                guard known.dtype == storage.dtype, known.elementCount == storage.elementCount else {
                    throw CheckpointError(file: file, message: "storage '\(storage.key)' is referenced as \(known.dtype.rawValue)×\(known.elementCount) and as \(storage.dtype.rawValue)×\(storage.elementCount)")
                }
            } else {
                found[storage.key] = storage
            }
        }
        func visit(_ value: PickleValue) throws {
            switch value {
            case .storage(let storage): try record(storage)
            case .tensor(let tensor): try record(tensor.storage)
            case .list(let items), .tuple(let items), .set(let items): for item in items { try visit(item) }
            case .dict(let items): for item in items { try visit(item.key); try visit(item.value) }
            case .object(_, _, let arguments, let state):
                for item in arguments { try visit(item) }
                if let state { try visit(state) }
            default: break
            }
        }
        try visit(value)
        return found
    }
}

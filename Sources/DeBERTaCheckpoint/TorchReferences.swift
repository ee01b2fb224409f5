/// A PyTorch storage named by a pickle persistent id: `('storage', storage_type, key, location, numel)`
/// in zip checkpoints, plus a sixth item `view_metadata` in legacy ones.
public struct TorchStorageReference: Sendable, Hashable {
    /// Element type of the storage class (`FloatStorage` → `.f32`; `UntypedStorage` → `.u8`).
    public let dtype: DType
    /// Record key: the zip entry is `<root>/data/<key>`; in legacy files the key of the root storage.
    public let key: String
    /// Device the storage was saved from (`cpu`, `cuda:0`, …); irrelevant when loading on the CPU.
    public let location: String
    /// Number of elements of the (root) storage.
    public let elementCount: Int
    /// For legacy storage views: the view's first element inside the root storage (else 0).
    public let viewOffset: Int
    /// For legacy storage views: the number of elements of the view (else `elementCount`).
    public let viewElementCount: Int

    /// Creates a reference; `viewOffset`/`viewElementCount` default to the whole storage.
    public init(dtype: DType, key: String, location: String, elementCount: Int,
                viewOffset: Int = 0, viewElementCount: Int? = nil) {
        self.dtype = dtype
        self.key = key
        self.location = location
        self.elementCount = elementCount
        self.viewOffset = viewOffset
        self.viewElementCount = viewElementCount ?? elementCount
    }
}

/// A PyTorch tensor as pickled by `torch._utils._rebuild_tensor_v2`: a strided view of a storage.
public struct TorchTensorReference: Sendable, Hashable {
    /// The storage holding the elements.
    public let storage: TorchStorageReference
    /// Index (in elements) of the tensor's first element inside the storage (view).
    public let storageOffset: Int
    /// Dimensions.
    public let shape: [Int]
    /// Stride of each dimension, in elements.
    public let strides: [Int]
    /// `requires_grad` flag as saved (irrelevant for loading).
    public let requiresGrad: Bool

    /// Creates a reference.
    public init(storage: TorchStorageReference, storageOffset: Int, shape: [Int], strides: [Int], requiresGrad: Bool) {
        self.storage = storage
        self.storageOffset = storageOffset
        self.shape = shape
        self.strides = strides
        self.requiresGrad = requiresGrad
    }
}

import DeBERTaCheckpoint
import DeBERTaTensors

/// A named, trainable tensor of a model.
public final class Parameter {
    /// Its name in a Hugging Face state dict, e.g. `deberta.encoder.layer.0.attention.self.query_proj.weight`.
    public let name: String
    /// The current value: an autodiff leaf while the parameter is trainable. Optimizers update its
    /// storage in place. Forward passes read it through their context, which cuts it off from
    /// autodiff in inference.
    public var value: Tensor

    /// A trainable parameter called `name` holding `value`'s values (models make theirs through
    /// ``ParameterBuilder``; this is for parameters that live outside a model, such as GDES residuals).
    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value.detached().requiringGrad()
    }

    /// The gradient accumulated by the last backward pass.
    public var grad: Tensor? { value.grad }

    /// The same gradient as an optimizer reads it: row-sparse for a table only lookups reached.
    public var gradient: Gradient? { value.gradient }

    /// Overwrites the values in place with `tensor`'s (same element count, converted to float32) and
    /// marks the storage modified, so that caches derived from the values are refreshed.
    public func assign(_ tensor: StoredTensor) {
        precondition(tensor.elementCount == value.count, "\(name): \(tensor.elementCount) values for \(value.count)")
        let values = tensor.floatValues()
        values.withUnsafeBufferPointer { value.data.update(from: $0.baseAddress!, count: values.count) }
        value.storage.markModified()
    }

    /// Makes the parameter trainable (the default: passes whose ``ForwardMode`` records gradients
    /// accumulate its gradient) or frozen (no pass does), with a fresh leaf either way. Switching
    /// between training and inference needs no call here: the pass's mode decides.
    public func setRequiresGrad(_ on: Bool) {
        value = on ? value.detached().requiringGrad() : value.detached()
    }
}

/// How a parameter is initialised when it is not read from a checkpoint (MODEL.md §15.2).
public enum ParameterInit {
    case normal(std: Float)
    case zeros
    case ones
    /// PyTorch's default for Conv1d: `U(−1/sqrt(fanIn), 1/sqrt(fanIn))`.
    case uniformFanIn(Int)
}

/// Builds a model's parameters by name, from checkpoint tensors or a seeded initialiser, and
/// records which names were missing or mis-shaped (candle's `VarBuilder`, in spirit).
public final class ParameterBuilder {
    /// Tensors by (normalised) name; nil builds random weights.
    let tensors: [String: StoredTensor]?
    let file: String
    var seed: UInt64
    private(set) var parameters: [Parameter] = []
    private(set) var used: Set<String> = []
    private(set) var missing: [String] = []
    private(set) var misshaped: [String] = []
    /// Names that may be absent or mis-shaped in the checkpoint and are then initialised afresh
    /// (e.g. a new task head on a pretrained backbone), by prefix.
    public var initializeIfAbsent: [String] = []
    /// Parameters that were initialised afresh for that reason.
    public private(set) var freshlyInitialized: [String] = []
    /// The weight copies of the layers built so far, which the model owns.
    private(set) var weightCaches: [WeightCache] = []

    /// Reads parameters from `tensors` (names as in a Hugging Face state dict).
    public init(tensors: [String: StoredTensor], file: String, seed: UInt64 = 0) {
        self.tensors = tensors
        self.file = file
        self.seed = seed
        self.zeroInit = false
    }

    let zeroInit: Bool

    /// Initialises parameters randomly (MODEL.md §15.2), reproducibly from `seed`.
    public init(randomSeed seed: UInt64) {
        self.tensors = nil
        self.file = "random initialisation"
        self.seed = seed
        self.zeroInit = false
    }

    /// Every parameter zero: for shapes and counts without the cost of random numbers.
    public static func zeros() -> ParameterBuilder {
        ParameterBuilder(zeroInit: ())
    }

    private init(zeroInit: Void) {
        tensors = nil
        file = "zero initialisation"
        seed = 0
        self.zeroInit = true
    }

    /// Whether the source has a tensor called `name`.
    public func contains(_ name: String) -> Bool { tensors?[name] != nil }

    /// The parameter `name` with the given shape.
    ///
    /// Its storage is allocated through the throwing path: when the memory cannot be had (or the
    /// shape is impossible), the failure is recorded for ``finish()`` to throw, this parameter and
    /// every later one get an empty placeholder, and nothing more is allocated.
    public func make(_ name: String, _ shape: [Int], _ initializer: ParameterInit) -> Parameter {
        guard allocationFailure == nil else { return placeholder(name) }
        let value: Tensor
        do { value = try Tensor(allocatingShape: shape) } catch {
            allocationFailure = (name, shape, error)
            return placeholder(name)
        }
        if let tensors, initializeIfAbsent.contains(where: { name.hasPrefix($0) }),
           tensors[name] == nil || tensors[name]!.elementCount != value.count {
            used.insert(name)
            freshlyInitialized.append(name)
            fillRandom(value, initializer)
        } else if let tensors {
            used.insert(name)
            if let stored = tensors[name] {
                if stored.shape == shape || (stored.elementCount == value.count && stored.shape.filter { $0 != 1 } == shape.filter { $0 != 1 }) {
                    let values = stored.floatValues()
                    values.withUnsafeBufferPointer { value.data.update(from: $0.baseAddress!, count: values.count) }
                } else {
                    misshaped.append("\(name) (checkpoint \(stored.shape), model \(shape))")
                    value.data.initialize(repeating: 0, count: value.count)
                }
            } else {
                missing.append(name)
                value.data.initialize(repeating: 0, count: value.count)
            }
        } else if zeroInit {
            value.data.initialize(repeating: 0, count: value.count)
        } else {
            fillRandom(value, initializer)
        }
        let p = Parameter(name: name, value: value)
        parameters.append(p)
        return p
    }

    /// The first parameter whose storage could not be allocated, reported by ``finish()``.
    private var allocationFailure: (name: String, shape: [Int], error: TensorAllocationError)?

    /// A stand-in for a parameter that could not be allocated: the model under construction is
    /// never used, because ``finish()`` throws.
    private func placeholder(_ name: String) -> Parameter {
        Parameter(name: name, value: Tensor(shape: [0], storage: TensorStorage(uninitializedCount: 0)))
    }

    private func fillRandom(_ t: Tensor, _ initializer: ParameterInit) {
        seed &+= 1
        let key = RandomStream.mix(seed)
        switch initializer {
        case .normal(let std): t.fillRandomNormal(std: std, key: key)
        case .zeros: t.data.initialize(repeating: 0, count: t.count)
        case .ones: t.data.initialize(repeating: 1, count: t.count)
        case .uniformFanIn(let fanIn):
            let bound = 1 / Float(fanIn).squareRoot()
            t.fillRandomUniform(low: -bound, high: bound, key: key)
        }
    }

    /// A cache for copies of a layer's weight (see ``WeightCache``), owned by the model being built.
    public func makeWeightCache() -> WeightCache {
        let cache = WeightCache()
        weightCaches.append(cache)
        return cache
    }

    /// Throws when a parameter's storage could not be allocated, or any parameter was missing or
    /// had the wrong shape.
    public func finish() throws {
        if let failure = allocationFailure {
            throw ModelError.file(file, "parameter \(failure.name) \(failure.shape): \(failure.error)")
        }
        if !missing.isEmpty || !misshaped.isEmpty {
            throw ModelError.weights(file: file, missing: missing, misshaped: misshaped)
        }
    }

    /// Checkpoint tensors no parameter asked for.
    public var unused: [String] {
        guard let tensors else { return [] }
        return tensors.keys.filter { !used.contains($0) }.sorted()
    }
}

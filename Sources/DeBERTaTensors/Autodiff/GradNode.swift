/// One recorded operation (or a leaf parameter) of the reverse-mode autodiff graph.
///
/// An op that has at least one input with a node creates a node for its output holding the
/// inputs' nodes and a closure computing the vector-Jacobian product: given the gradient of
/// the output it returns one gradient per input (nil where an input needs none).
public final class GradNode {
    /// Nodes of the op's inputs (nil for inputs that need no gradient).
    let parents: [GradNode?]
    /// The vector-Jacobian product; nil for leaves, and released (with the activations it holds)
    /// once ``Tensor/backward(seed:)`` has used it.
    var vjp: ((Tensor) -> [Tensor?])?
    /// Whether this node is a leaf (no recorded op).
    public let isLeaf: Bool
    /// Shape of the value this node stands for.
    public let shape: [Int]
    /// The gradient accumulated so far (for leaves: the result of ``Tensor/backward()``).
    public internal(set) var grad: Tensor?

    /// A leaf: a parameter or input whose gradient is wanted.
    init(leafShape: [Int]) {
        parents = []
        vjp = nil
        isLeaf = true
        shape = leafShape
    }

    init(shape: [Int], parents: [GradNode?], vjp: @escaping (Tensor) -> [Tensor?]) {
        self.shape = shape
        self.parents = parents
        self.vjp = vjp
        isLeaf = false
    }

    /// Rows of a leaf table's gradient that embedding lookups accumulated (kept apart from the
    /// dense part until read; see ``gradient``).
    public internal(set) var rowGrad: RowGradient?

    /// Clears the accumulated gradient.
    public func zeroGrad() {
        grad = nil
        rowGrad = nil
    }

    func accumulateRows(_ r: RowGradient) {
        rowGrad = rowGrad.map { $0.adding(r) } ?? r
    }

    /// The accumulated gradient of a leaf: row-sparse when only lookups reached it, otherwise dense
    /// (lookup rows are then added into the dense part, in place when nothing else holds it).
    public var gradient: Gradient? {
        guard let rows = rowGrad else { return grad.map { .dense($0) } }
        guard grad != nil else { return .rows(rows) }
        var target = grad!.storage
        grad = nil
        rowGrad = nil
        Self.makeOwned(&target)
        rows.add(into: target.pointer)
        grad = Tensor(shape: shape, storage: target)
        return grad.map { .dense($0) }
    }

    /// Adds `g` to the accumulated gradient. A gradient buffer that nothing else references is
    /// taken over (or added into) without a copy; a shared one is never written.
    func accumulate(_ g: consuming Tensor) {
        precondition(g.shape.reduce(1, *) == shape.reduce(1, *), "gradient shape \(g.shape) does not match \(shape)")
        var incoming = g.storage
        _ = consume g
        if grad != nil {
            var target = grad!.storage
            grad = nil
            if isKnownUniquelyReferenced(&target) {
                add(incoming, into: target)
                grad = Tensor(shape: shape, storage: target)
            } else {
                let sum = TensorStorage(uninitializedCount: target.count)
                let a = target.pointer, b = incoming.pointer, o = sum.pointer
                Parallel.forEach(sum.count, grain: 1 << 15) { r in for i in r { o[i] = a[i] + b[i] } }
                grad = Tensor(shape: shape, storage: sum)
            }
        } else {
            // Leaves own their gradient (optimizers may scale it in place).
            if isLeaf { Self.makeOwned(&incoming) }
            grad = Tensor(shape: shape, storage: incoming)
        }
    }

    /// Replaces `storage` by a copy unless nothing else references it.
    private static func makeOwned(_ storage: inout TensorStorage) {
        guard !isKnownUniquelyReferenced(&storage) else { return }
        let owned = TensorStorage(uninitializedCount: storage.count)
        owned.pointer.update(from: storage.pointer, count: storage.count)
        storage = owned
    }

    private func add(_ source: TensorStorage, into target: TensorStorage) {
        let a = target.pointer, b = source.pointer
        Parallel.forEach(target.count, grain: 1 << 15) { r in for i in r { a[i] += b[i] } }
    }
}

extension Tensor {
    /// Records an op's output: attaches a node when any input takes part in differentiation.
    @inlinable
    func recording(_ inputs: [Tensor?], _ vjp: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        var out = self
        out.attachNode(inputs, vjp)
        return out
    }

    @usableFromInline
    mutating func attachNode(_ inputs: [Tensor?], _ vjp: @escaping (Tensor) -> [Tensor?]) {
        guard inputs.contains(where: { $0?.node != nil }) else { return }
        node = GradNode(shape: shape, parents: inputs.map { $0?.node }, vjp: vjp)
    }

    /// Back-propagates from this tensor, seeding its gradient with ones (or `seed`), and
    /// accumulates the gradients of every leaf reachable from it.
    ///
    /// Like PyTorch without `retain_graph`, each op's saved activations are released as soon as
    /// its vector-Jacobian product has run, so a graph can be back-propagated once.
    public func backward(seed: Tensor? = nil) {
        guard let root = node else { return }
        // Topological order by an iterative depth-first search (post-order).
        var order: [GradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradNode, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (n, i) = stack.popLast() {
            if i < n.parents.count {
                stack.append((n, i + 1))
                if let p = n.parents[i], !visited.contains(ObjectIdentifier(p)) {
                    visited.insert(ObjectIdentifier(p))
                    stack.append((p, 0))
                }
            } else {
                order.append(n)
            }
        }
        root.accumulate(seed ?? Tensor(repeating: 1, shape: shape))
        for n in order.reversed() {
            guard !n.isLeaf, n.grad != nil else { continue }
            guard n.vjp != nil else { preconditionFailure("backward() through a graph a second time: its activations were released") }
            var grads: [Tensor?]
            do {
                let g = n.grad!
                n.grad = nil  // intermediate gradients are not kept
                grads = n.vjp!(g)
            }
            n.vjp = nil
            // Each gradient is handed over with no other reference left here, so a fresh buffer
            // becomes the parent's gradient without a copy.
            for i in grads.indices {
                guard let p = n.parents[i], let pg = grads[i] else { continue }
                grads[i] = nil
                p.accumulate(consume pg)
            }
        }
    }
}

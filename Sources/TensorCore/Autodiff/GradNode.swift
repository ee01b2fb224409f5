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

    /// Clears the accumulated gradient.
    public func zeroGrad() { grad = nil }

    func accumulate(_ g: Tensor) {
        precondition(g.shape.reduce(1, *) == shape.reduce(1, *), "gradient shape \(g.shape) does not match \(shape)")
        if let existing = grad {
            // The first gradient may be shared with another node; never write into it.
            let sum = Tensor(uninitializedShape: shape)
            let n = sum.count
            let a = existing.data, b = g.data, o = sum.data
            for i in 0..<n { o[i] = a[i] + b[i] }
            grad = sum
        } else {
            // Leaves own their gradient (optimizers may scale it in place).
            grad = isLeaf ? Tensor(shape: shape, storage: g.copy().storage) : Tensor(shape: shape, storage: g.storage)
        }
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
            guard !n.isLeaf, let g = n.grad else { continue }
            guard let vjp = n.vjp else { preconditionFailure("backward() through a graph a second time: its activations were released") }
            let grads = vjp(g)
            n.grad = nil  // intermediate gradients are not kept
            n.vjp = nil
            for (p, pg) in zip(n.parents, grads) {
                if let p, let pg { p.accumulate(pg) }
            }
        }
    }
}

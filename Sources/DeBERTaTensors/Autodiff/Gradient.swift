/// The gradient of a table of which a backward pass touched only some rows (an embedding lookup):
/// `values[k]` is the gradient of row `rows[k]`, every other row's is zero.
///
/// A v3-base word-embedding table is 128 100 × 768 floats (375 MiB); a batch of 8 × 128 tokens
/// touches at most 1 024 of its rows, so its gradient fits in 3 MiB this way.
public struct RowGradient {
    /// The shape of the table, `[rows, width]`.
    public let shape: [Int]
    /// The rows that received a gradient, ascending, without repeats.
    public let rows: [Int32]
    /// Their gradients, `[rows.count, width]`.
    public let values: Tensor

    public var width: Int { shape[1] }

    public init(shape: [Int], rows: [Int32], values: Tensor) {
        precondition(shape.count == 2 && values.shape == [rows.count, shape[1]], "row gradient \(values.shape) for table \(shape)")
        self.shape = shape
        self.rows = rows
        self.values = values
    }

    /// The gradient of an embedding lookup: `values[slot(id)] = Σ_t g[t]` over the tokens `t` with
    /// that id (in token order, as a dense scatter-add sums them); `paddingIndex` gets none.
    public init(scattering g: Tensor, ids: IndexTensor, tableShape: [Int], paddingIndex: Int?) {
        let tableRows = tableShape[0], width = tableShape[1]
        var slot = [Int32](repeating: -1, count: tableRows)
        for id in ids.values where Int(id) != paddingIndex { slot[Int(id)] = 0 }
        var rows: [Int32] = []
        for r in 0..<tableRows where slot[r] == 0 {
            slot[r] = Int32(rows.count)
            rows.append(Int32(r))
        }
        let values = Tensor.zeros([rows.count, width])
        for (t, id) in ids.values.enumerated() where Int(id) != paddingIndex {
            let dst = values.data + Int(slot[Int(id)]) * width, src = g.data + t * width
            for j in 0..<width { dst[j] += src[j] }
        }
        self.init(shape: tableShape, rows: rows, values: values)
    }

    /// `self + other` (same table): the union of the rows.
    public func adding(_ other: RowGradient) -> RowGradient {
        precondition(shape == other.shape, "row gradients of tables \(shape) and \(other.shape)")
        var rows: [Int32] = []
        var sources: [(Int?, Int?)] = []
        var i = 0, j = 0
        while i < self.rows.count || j < other.rows.count {
            let a = i < self.rows.count ? self.rows[i] : Int32.max, b = j < other.rows.count ? other.rows[j] : Int32.max
            if a == b { rows.append(a); sources.append((i, j)); i += 1; j += 1 }
            else if a < b { rows.append(a); sources.append((i, nil)); i += 1 }
            else { rows.append(b); sources.append((nil, j)); j += 1 }
        }
        let out = Tensor(uninitializedShape: [rows.count, width])
        for (k, (x, y)) in sources.enumerated() {
            let o = out.data + k * width
            switch (x, y) {
            case let (x?, y?):
                let p = values.data + x * width, q = other.values.data + y * width
                for c in 0..<width { o[c] = p[c] + q[c] }
            case let (x?, nil): o.update(from: values.data + x * width, count: width)
            case let (nil, y?): o.update(from: other.values.data + y * width, count: width)
            default: break
            }
        }
        return RowGradient(shape: shape, rows: rows, values: out)
    }

    /// Adds the rows into a dense gradient of the table.
    public func add(into dense: UnsafeMutablePointer<Float>) {
        for (k, r) in rows.enumerated() {
            let d = dense + Int(r) * width, s = values.data + k * width
            for c in 0..<width { d[c] += s[c] }
        }
    }

    /// The same gradient as a dense `[rows, width]` tensor.
    public func dense() -> Tensor {
        let t = Tensor.zeros(shape)
        add(into: t.data)
        return t
    }
}

/// A parameter's accumulated gradient, as an optimizer reads it.
public enum Gradient {
    case dense(Tensor)
    case rows(RowGradient)

    /// `Σ g²` in double precision (rows absent from a row gradient add zero).
    public var squaredNorm: Double {
        let t: Tensor
        switch self {
        case let .dense(d): t = d
        case let .rows(r): t = r.values
        }
        var s = 0.0
        let p = t.data
        for i in 0..<t.count { s += Double(p[i]) * Double(p[i]) }
        return s
    }

    /// The gradient as a dense tensor (a new one for a row gradient).
    public var dense: Tensor {
        switch self {
        case let .dense(d): return d
        case let .rows(r): return r.dense()
        }
    }
}

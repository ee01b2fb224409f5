/// Embedding lookup: row `ids[t]` of `table` (`[V, E]`) for every index, result `ids.shape + [E]`.
/// The gradient scatter-adds into the table; row `paddingIndex` gets none (as `nn.Embedding`).
/// A parameter table's gradient is row-sparse (``RowGradient``).
public func embedding(_ table: Tensor, _ ids: IndexTensor, paddingIndex: Int? = nil) -> Tensor {
    let rows = table.dim(0), width = table.dim(1)
    let out = Tensor(uninitializedShape: ids.shape + [width])
    ids.values.withUnsafeBufferPointer { idp in
        for t in 0..<ids.count {
            let id = Int(idp[t])
            precondition(id >= 0 && id < rows, "embedding index \(id) outside [0, \(rows))")
            (out.data + t * width).update(from: table.data + id * width, count: width)
        }
    }
    // A parameter table gets a row gradient (its touched rows only); a computed one (GDES's
    // E_G + E_Δ) passes a dense gradient back to its inputs.
    let shape = table.shape
    if let leaf = table.node, leaf.isLeaf {
        return out.recording([table]) { g in
            leaf.accumulateRows(RowGradient(scattering: g, ids: ids, tableShape: shape, paddingIndex: paddingIndex))
            return [nil]
        }
    }
    return out.recording([table]) { g in
        let t = Tensor.zeros(shape)
        for (k, id32) in ids.values.enumerated() {
            let id = Int(id32)
            if id == paddingIndex { continue }
            let dst = t.data + id * width, src = g.data + k * width
            for j in 0..<width { dst[j] += src[j] }
        }
        return [t]
    }
}

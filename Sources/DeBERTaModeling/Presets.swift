import Foundation

/// Configurations of the released model shapes (MODEL.md §3), for benchmarks and training from scratch.
public enum ModelPresets {
    /// Names accepted by ``configuration(_:)``.
    public static let names = ["v3-xsmall", "v3-small", "v3-base", "v3-large", "v1-base", "v1-large"]

    /// A released shape by name, or a configuration file's contents when `name` is a path.
    public static func configuration(_ name: String) throws -> DeBERTaConfiguration {
        let shapes: [String: (layers: Int, hidden: Int, heads: Int, intermediate: Int)] = [
            "v3-xsmall": (12, 384, 6, 1536), "v3-small": (6, 768, 12, 3072), "v3-base": (12, 768, 12, 3072),
            "v3-large": (24, 1024, 16, 4096), "v1-base": (12, 768, 12, 3072), "v1-large": (24, 1024, 16, 4096),
        ]
        guard let s = shapes[name] else {
            if FileManager.default.fileExists(atPath: name) { return try DeBERTaConfiguration.load(from: URL(fileURLWithPath: name)) }
            throw ModelError.input("unknown model shape '\(name)' (expected one of \(names.joined(separator: ", ")) or a config.json path)")
        }
        let v1 = name.hasPrefix("v1")
        var c = DeBERTaConfiguration(modelType: v1 ? "deberta" : "deberta-v2")
        c.numHiddenLayers = s.layers
        c.hiddenSize = s.hidden
        c.numAttentionHeads = s.heads
        c.intermediateSize = s.intermediate
        c.vocabSize = v1 ? 50265 : 128100
        c.relativeAttention = true
        c.positionBiasedInput = false
        c.maxRelativePositions = -1
        c.posAttType = v1 ? ["c2p", "p2c"] : ["p2c", "c2p"]
        if !v1 {
            c.positionBuckets = 256
            c.shareAttKey = true
            c.normRelEbd = "layer_norm"
        }
        return c
    }

    /// Multiply-add FLOPs (×2) of one encoder forward pass at batch `b`, length `n`. The position
    /// projections of the relative table count only with `positionProjections`: inference computes
    /// them once per length and reuses them (``FrozenCache``), training on every pass.
    public static func forwardFLOPs(_ c: DeBERTaConfiguration, batch b: Int, length n: Int, positionProjections: Bool = true) -> Double {
        let t = Double(b * n), h = Double(c.hiddenSize), i = Double(c.intermediateSize)
        // Only the reachable rows of the relative table take part (RelativePosition.activeRows).
        let span = Double(c.relativeAttention ? RelativePosition.activeRows(queries: n, keys: n, configuration: c).rows.count : 0)
        var perLayer = 2 * t * h * h * 4 + 2 * t * h * i * 2          // Q, K, V, output; FFN
        perLayer += 2 * Double(b) * Double(n * n) * h * 2               // QKᵀ and P·V
        let terms = Double((c.usesC2P ? 1 : 0) + (c.usesP2C ? 1 : 0))
        perLayer += terms * 2 * t * span * h                            // c2p/p2c scores
        if positionProjections { perLayer += terms * 2 * span * h * h }  // position keys/queries
        return perLayer * Double(c.numHiddenLayers)
    }
}

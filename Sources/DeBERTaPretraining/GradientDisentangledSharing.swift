import DeBERTaModeling
import DeBERTaTensors

/// Gradient-disentangled embedding sharing (GDES, MODEL.md §14): on every forward pass the
/// discriminator's word and absolute-position tables are `E_D = stopgrad(E_G) + E_Δ`, with `E_G` the
/// generator's table and `E_Δ` a residual of the discriminator that starts at zero. The MLM loss
/// updates `E_G`; the RTD loss reaches only `E_Δ`.
public final class GradientDisentangledSharing {
    public let generator: DeBERTaModel
    public let discriminator: DeBERTaModel
    /// `E_Δ` of the word table, named as the original stores it.
    public let wordDelta: Parameter
    /// `E_Δ` of the absolute position table, when both models have one.
    public let positionDelta: Parameter?

    /// Links the two models; the residuals start at zero (or at `wordDelta`/`positionDelta` values).
    public init(generator: DeBERTaModel, discriminator: DeBERTaModel) throws {
        let g = generator.embeddings, d = discriminator.embeddings
        guard g.wordEmbeddings.value.shape == d.wordEmbeddings.value.shape else {
            throw PretrainingError.invalidOption("GDES needs equal word tables: generator \(g.wordEmbeddings.value.shape), discriminator \(d.wordEmbeddings.value.shape) (same vocab_size and embedding size)")
        }
        self.generator = generator
        self.discriminator = discriminator
        wordDelta = Parameter(name: "deberta.embeddings.word_embeddings._weight", value: Tensor.zeros(g.wordEmbeddings.value.shape))
        if let gp = g.positionEmbeddings, let dp = d.positionEmbeddings {
            guard gp.value.shape == dp.value.shape else {
                throw PretrainingError.invalidOption("GDES needs equal position tables: generator \(gp.value.shape), discriminator \(dp.value.shape) (same max_position_embeddings)")
            }
            positionDelta = Parameter(name: "deberta.embeddings.position_embeddings._weight", value: Tensor.zeros(gp.value.shape))
        } else {
            positionDelta = nil
        }
        let word = wordDelta, position = positionDelta
        d.wordTableOverride = { [unowned g] in g.wordEmbeddings.value.detached() + word.value }
        if let position, let gp = g.positionEmbeddings {
            d.positionTableOverride = { gp.value.detached() + position.value }
        }
    }

    /// The residuals (`E_Δ`), which the discriminator's optimizer updates.
    public var residuals: [Parameter] { [wordDelta] + (positionDelta.map { [$0] } ?? []) }

    /// The discriminator's trainable parameters: its own without the shared tables, plus the residuals.
    public var discriminatorParameters: [Parameter] {
        let shared = Set([discriminator.embeddings.wordEmbeddings, discriminator.embeddings.positionEmbeddings]
            .compactMap { $0.map(ObjectIdentifier.init) })
        return discriminator.parameters.filter { !shared.contains(ObjectIdentifier($0)) } + residuals
    }

    /// Writes `E_G + E_Δ` into the discriminator's own tables, so that its state dict (and a
    /// Hugging Face folder saved from it) holds the tables it computes with.
    public func materialize() {
        func add(_ target: Parameter, _ base: Parameter, _ delta: Parameter) {
            let t = target.value.data, a = base.value.data, b = delta.value.data
            for i in 0..<target.value.count { t[i] = a[i] + b[i] }
            target.value.storage.markModified()
        }
        add(discriminator.embeddings.wordEmbeddings, generator.embeddings.wordEmbeddings, wordDelta)
        if let positionDelta, let dp = discriminator.embeddings.positionEmbeddings, let gp = generator.embeddings.positionEmbeddings {
            add(dp, gp, positionDelta)
        }
    }

    /// Sets `E_Δ = E_D − E_G` from the discriminator's current tables (continuing from a saved
    /// discriminator whose file has no `_weight` residuals).
    public func residualsFromTables() {
        func sub(_ delta: Parameter, _ target: Parameter, _ base: Parameter) {
            let t = target.value.data, a = base.value.data, d = delta.value.data
            for i in 0..<delta.value.count { d[i] = t[i] - a[i] }
            delta.value.storage.markModified()
        }
        sub(wordDelta, discriminator.embeddings.wordEmbeddings, generator.embeddings.wordEmbeddings)
        if let positionDelta, let dp = discriminator.embeddings.positionEmbeddings, let gp = generator.embeddings.positionEmbeddings {
            sub(positionDelta, dp, gp)
        }
    }
}

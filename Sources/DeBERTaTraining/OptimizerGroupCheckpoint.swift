import DeBERTaCheckpoint
import DeBERTaFiles
import DeBERTaModeling
import DeBERTaTensors

extension OptimizerGroup {
    /// A group's counters in a checkpoint's state (its weights and moments are tensor files).
    public struct State: Codable, Sendable, Equatable {
        public var step: Int
        public var scaler: DynamicLossScaler
        public var random: RandomStream
        /// Adam's update count of every parameter.
        public var optimizerSteps: [String: Int]
    }

    /// Writes the parameters to the file `weights` and Adam's moments to `moments` of a checkpoint
    /// being saved; returns the counters for its state.
    public func save(to writer: CheckpointFolder.Writer, weights: String, moments: String) throws -> State {
        var named: [String: StoredTensor] = [:]
        for p in parameters { named[p.name] = StoredTensor(float32: p.value.scalars, shape: p.value.shape) }
        try writer.write(weights, named, metadata: ["format": "pt"])
        let (tensors, steps) = optimizer.stateTensors()
        try writer.write(moments, tensors.mapValues { StoredTensor(float32: $0.scalars, shape: $0.shape) })
        return State(step: step, scaler: scaler, random: random, optimizerSteps: steps)
    }

    /// Loads what ``save(to:weights:moments:)`` wrote (the group must have the same parameters).
    /// Both files are read and checked before anything is assigned, so that a damaged checkpoint
    /// leaves the group as it was (and a run can fall back to the checkpoint before it).
    public func restore(_ state: State, from folder: CheckpointFolder, weights: String, moments: String) throws {
        let values = try folder.tensors(weights)
        for p in parameters {
            guard let t = values[p.name], t.shape == p.value.shape else {
                throw FileError(file: folder.url.appendingPathComponent(weights).path,
                                message: "lacks parameter \(p.name) \(p.value.shape) or its shape differs (a run of another model configuration?)")
            }
        }
        let stored = try folder.tensors(moments)
        for p in parameters { p.assign(values[p.name]!) }
        optimizer.restore(stored.mapValues { Tensor($0.floatValues(), shape: $0.shape) }, steps: state.optimizerSteps)
        step = state.step
        scaler = state.scaler
        random = state.random
    }
}

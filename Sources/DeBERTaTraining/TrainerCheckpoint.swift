import Foundation

/// Where a run is in its data: the next batch to train on.
public struct DataPosition: Codable, Sendable, Equatable {
    public var epoch: Int
    /// Index of the next batch within the epoch.
    public var batch: Int

    public init(epoch: Int = 0, batch: Int = 0) {
        self.epoch = epoch
        self.batch = batch
    }
}

/// A ``Trainer``'s checkpoint: `model.safetensors` (weights), `optimizer.safetensors` (moments) and
/// `trainer_state.json` with the group's counters, the data position, the options and the caller's
/// extra values — everything a killed run needs to continue exactly.
extension Trainer {
    struct CheckpointState: Codable {
        /// At the top level of the JSON object, as checkpoints have always held them.
        var group: OptimizerGroup.State
        var position: DataPosition
        var options: TrainingOptions
        /// Free-form values of the caller (e.g. best metric so far).
        var extra: [String: String]

        enum CodingKeys: String, CodingKey { case position, options, extra }

        init(group: OptimizerGroup.State, position: DataPosition, options: TrainingOptions, extra: [String: String]) {
            self.group = group
            self.position = position
            self.options = options
            self.extra = extra
        }

        init(from decoder: Decoder) throws {
            group = try OptimizerGroup.State(from: decoder)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            position = try c.decode(DataPosition.self, forKey: .position)
            options = try c.decode(TrainingOptions.self, forKey: .options)
            extra = try c.decode([String: String].self, forKey: .extra)
        }

        func encode(to encoder: Encoder) throws {
            try group.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(position, forKey: .position)
            try c.encode(options, forKey: .options)
            try c.encode(extra, forKey: .extra)
        }
    }

    static let weightsFile = "model.safetensors", momentsFile = "optimizer.safetensors"

    /// Saves the trainer at `position` into `directory/checkpoint-<step>`.
    @discardableResult
    public func saveCheckpoint(position: DataPosition, extra: [String: String] = [:], in directory: URL) throws -> CheckpointFolder {
        try CheckpointFolder.save(step: step, in: directory) { writer in
            CheckpointState(group: try group.save(to: writer, weights: Self.weightsFile, moments: Self.momentsFile),
                            position: position, options: options, extra: extra)
        }
    }

    /// Loads a checkpoint (of a model with the same parameters); returns the data position and the
    /// caller's extra values.
    public func restore(from folder: CheckpointFolder) throws -> (position: DataPosition, extra: [String: String]) {
        let state = try folder.state(CheckpointState.self)
        try group.restore(state.group, from: folder, weights: Self.weightsFile, moments: Self.momentsFile)
        return (state.position, state.extra)
    }
}

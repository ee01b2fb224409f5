import DeBERTaFiles
import Foundation
import DeBERTaTraining

/// A pretraining checkpoint: the weights of every optimizer group (`<group>.safetensors`, the
/// GDES residuals with the discriminator's), its Adam moments (`optimizer.<group>.safetensors`),
/// and `trainer_state.json` with each group's update count, loss scaler and dropout stream and the
/// next sample. Masks and replacement draws are functions of the sample index, so no other random
/// state exists.
extension PretrainingTrainer {
    struct CheckpointState: Codable {
        var task: PretrainingTask
        var step: Int
        /// Index of the next training sample.
        var nextSample: Int
        var groups: [String: OptimizerGroup.State]
    }

    static func files(of group: OptimizerGroup) -> (weights: String, moments: String) {
        ("\(group.name).safetensors", "optimizer.\(group.name).safetensors")
    }

    /// Saves the trainer into `directory/checkpoint-<step>`.
    @discardableResult
    public func saveCheckpoint(nextSample: Int, in directory: URL) throws -> CheckpointFolder {
        try CheckpointFolder.save(step: step, in: directory) { writer in
            var states: [String: OptimizerGroup.State] = [:]
            for g in groups {
                let files = Self.files(of: g)
                states[g.name] = try g.save(to: writer, weights: files.weights, moments: files.moments)
            }
            return CheckpointState(task: task, step: step, nextSample: nextSample, groups: states)
        }
    }

    /// Loads a checkpoint into the trainer (built with the same configuration); returns the next sample.
    public func restore(from folder: CheckpointFolder) throws -> Int {
        let state = try folder.state(CheckpointState.self)
        let stateFile = folder.url.appendingPathComponent(CheckpointFolder.stateFile).path
        guard state.task == task else {
            throw FileError(file: stateFile, message: "the checkpoint is of task \(state.task.rawValue), this run is \(task.rawValue)")
        }
        for g in groups {
            guard let groupState = state.groups[g.name] else { throw FileError(file: stateFile, message: "no state for \(g.name)") }
            let files = Self.files(of: g)
            try g.restore(groupState, from: folder, weights: files.weights, moments: files.moments)
        }
        return state.nextSample
    }
}

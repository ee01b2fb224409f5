import DeBERTaFiles
import DeBERTaCheckpoint
import DeBERTaModeling
import Foundation
import DeBERTaTensors
import DeBERTaTraining

/// Everything a pretraining run needs to continue exactly: the weights of every model (with the
/// GDES residuals), each optimizer group's Adam moments, update count, loss scaler and dropout
/// stream, and the next sample. Masks and replacement draws are functions of the sample index, so
/// no other random state exists.
///
/// A checkpoint is a folder `checkpoint-<step>` with `<group>.safetensors` (weights),
/// `optimizer.<group>.safetensors` (moments) and `trainer_state.json`, written under a temporary
/// name and renamed into place: a folder with that name is complete.
public enum PretrainingCheckpoint {
    struct GroupState: Codable {
        var step: Int
        var scaler: DynamicLossScaler
        var random: RandomStream
        var optimizerSteps: [String: Int]
    }

    struct State: Codable {
        var task: PretrainingTask
        var step: Int
        /// Index of the next training sample.
        var nextSample: Int
        var groups: [String: GroupState]
    }

    /// Saves `trainer` into `directory/checkpoint-<step>`; returns that folder.
    @discardableResult
    public static func save(_ trainer: PretrainingTrainer, nextSample: Int, in directory: URL) throws -> URL {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let final = directory.appendingPathComponent(String(format: "checkpoint-%06d", trainer.step))
        let tmp = directory.appendingPathComponent(".checkpoint-tmp-\(getpid())")
        try? fm.removeItem(at: tmp)
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        var groups: [String: GroupState] = [:]
        for g in trainer.groups {
            try SafeTensors.write(named(g.parameters), metadata: ["format": "pt"], to: tmp.appendingPathComponent("\(g.name).safetensors"))
            let (moments, steps) = g.optimizer.stateTensors()
            try SafeTensors.write(moments.mapValues { StoredTensor(float32: $0.scalars, shape: $0.shape) }, metadata: nil,
                                  to: tmp.appendingPathComponent("optimizer.\(g.name).safetensors"))
            groups[g.name] = GroupState(step: g.step, scaler: g.scaler, random: g.random, optimizerSteps: steps)
        }
        let state = State(task: trainer.task, step: trainer.step, nextSample: nextSample, groups: groups)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeFileAtomically(try encoder.encode(state), to: tmp.appendingPathComponent("trainer_state.json"))
        try? fm.removeItem(at: final)
        guard rename(tmp.path, final.path) == 0 else {
            throw PretrainingError.file(final.path, "cannot move the checkpoint into place: \(String(cString: strerror(errno)))")
        }
        return final
    }

    /// Loads a checkpoint into `trainer` (built with the same configuration); returns the next sample.
    public static func restore(_ trainer: PretrainingTrainer, from folder: URL) throws -> Int {
        let stateURL = folder.appendingPathComponent("trainer_state.json")
        let state: State
        do { state = try JSONDecoder().decode(State.self, from: Data(contentsOf: stateURL)) } catch {
            throw PretrainingError.file(stateURL.path, "cannot read the trainer state: \(error)")
        }
        guard state.task == trainer.task else {
            throw PretrainingError.file(stateURL.path, "the checkpoint is of task \(state.task.rawValue), this run is \(trainer.task.rawValue)")
        }
        for g in trainer.groups {
            guard let gs = state.groups[g.name] else { throw PretrainingError.file(stateURL.path, "no state for \(g.name)") }
            let weightsURL = folder.appendingPathComponent("\(g.name).safetensors")
            let weights = try SafeTensors.read(from: weightsURL).tensors
            for p in g.parameters {
                guard let t = weights[p.name], t.shape == p.value.shape else {
                    throw PretrainingError.file(weightsURL.path, "lacks parameter \(p.name) \(p.value.shape) or its shape differs (another --model_config?)")
                }
                p.assign(t)
            }
            let moments = try SafeTensors.read(from: folder.appendingPathComponent("optimizer.\(g.name).safetensors")).tensors
            g.optimizer.restore(moments.mapValues { Tensor($0.floatValues(), shape: $0.shape) }, steps: gs.optimizerSteps)
            g.restore(step: gs.step, scaler: gs.scaler, random: gs.random)
        }
        return state.nextSample
    }

    static func named(_ parameters: [Parameter]) -> [String: StoredTensor] {
        var out: [String: StoredTensor] = [:]
        for p in parameters { out[p.name] = StoredTensor(float32: p.value.scalars, shape: p.value.shape) }
        return out
    }
}

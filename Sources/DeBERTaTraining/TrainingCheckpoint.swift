import DeBERTaFiles
import DeBERTaCheckpoint
import DeBERTaModeling
import Foundation
import DeBERTaTensors

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

/// Everything a killed run needs to continue exactly: weights, optimizer moments, schedule step,
/// loss scaler, dropout random stream and data position. A checkpoint is a folder
/// `checkpoint-<step>` holding `model.safetensors`, `optimizer.safetensors` and `trainer_state.json`;
/// it is written under a temporary name and renamed into place, so a folder with that name is complete.
public enum TrainingCheckpoint {
    struct State: Codable {
        var step: Int
        var position: DataPosition
        var random: RandomStream
        var scaler: DynamicLossScaler
        var optimizerSteps: [String: Int]
        var options: TrainingOptions
        /// Free-form values of the caller (e.g. best metric so far).
        var extra: [String: String]
    }

    /// Saves `trainer` at `position` into `directory/checkpoint-<step>`; returns that folder.
    @discardableResult
    public static func save(_ trainer: Trainer, position: DataPosition, extra: [String: String] = [:], in directory: URL) throws -> URL {
        let fm = FileManager.default
        let final = directory.appendingPathComponent(String(format: "checkpoint-%06d", trainer.step))
        let tmp = directory.appendingPathComponent(".checkpoint-tmp-\(getpid())")
        try? fm.removeItem(at: tmp)
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        try SafeTensors.write(trainer.model.stateDict(), metadata: ["format": "pt"], to: tmp.appendingPathComponent("model.safetensors"))
        let (moments, steps) = trainer.optimizer.stateTensors()
        try SafeTensors.write(moments.mapValues { StoredTensor(float32: $0.scalars, shape: $0.shape) }, metadata: nil,
                              to: tmp.appendingPathComponent("optimizer.safetensors"))
        let state = State(step: trainer.step, position: position, random: trainer.random, scaler: trainer.scaler,
                          optimizerSteps: steps, options: trainer.options, extra: extra)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeFileAtomically(try encoder.encode(state), to: tmp.appendingPathComponent("trainer_state.json"))
        try? fm.removeItem(at: final)
        guard rename(tmp.path, final.path) == 0 else {
            throw ModelError.file(final.path, "cannot move the checkpoint into place: \(String(cString: strerror(errno)))")
        }
        return final
    }

    /// The complete checkpoint with the highest step in `directory`, if any.
    public static func latest(in directory: URL) -> URL? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("checkpoint-") }.sorted().last.map { directory.appendingPathComponent($0) }
    }

    /// Removes all but the newest `keep` checkpoints in `directory`.
    public static func prune(in directory: URL, keep: Int) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("checkpoint-") }.sorted()
        for name in names.dropLast(keep) { try FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
    }

    /// Loads a checkpoint into `trainer` (whose model has the same parameters); returns the data
    /// position and the caller's extra values.
    public static func restore(_ trainer: Trainer, from folder: URL) throws -> (position: DataPosition, extra: [String: String]) {
        let stateURL = folder.appendingPathComponent("trainer_state.json")
        let state: State
        do { state = try JSONDecoder().decode(State.self, from: Data(contentsOf: stateURL)) } catch {
            throw ModelError.file(stateURL.path, "cannot read the trainer state: \(error)")
        }
        let weights = try SafeTensors.read(from: folder.appendingPathComponent("model.safetensors")).tensors
        for p in trainer.model.parameters {
            guard let t = weights[p.name], t.shape == p.value.shape else {
                throw ModelError.file(folder.path, "checkpoint lacks parameter \(p.name) or its shape differs")
            }
            p.assign(t)
        }
        let moments = try SafeTensors.read(from: folder.appendingPathComponent("optimizer.safetensors")).tensors
        trainer.optimizer.restore(moments.mapValues { Tensor($0.floatValues(), shape: $0.shape) }, steps: state.optimizerSteps)
        trainer.step = state.step
        trainer.random = state.random
        trainer.scaler = state.scaler
        return (state.position, state.extra)
    }
}

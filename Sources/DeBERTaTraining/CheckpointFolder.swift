import DeBERTaCheckpoint
import DeBERTaFiles
import Foundation

/// A checkpoint of a run: a folder `checkpoint-<step>` holding safetensors files (weights, Adam
/// moments) and `trainer_state.json`, the run's `Codable` state. It is written under a temporary
/// name and renamed into place, so a folder with that name is complete; a run killed meanwhile
/// leaves only a temporary folder, which the next save replaces.
public struct CheckpointFolder: Sendable, Equatable {
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    /// The file of the run's state.
    public static let stateFile = "trainer_state.json"

    /// Writes the checkpoint of update `step` into `directory` (created if needed): `contents` writes
    /// the tensor files and returns the state for `trainer_state.json`, then the folder is moved
    /// into place (replacing one of the same step).
    @discardableResult
    public static func save<State: Encodable>(step: Int, in directory: URL,
                                              contents: (Writer) throws -> State) throws -> CheckpointFolder {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let final = directory.appendingPathComponent(String(format: "checkpoint-%06d", step))
        let tmp = directory.appendingPathComponent(".checkpoint-tmp-\(getpid())")
        try? fm.removeItem(at: tmp)
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        let state = try contents(Writer(folder: tmp))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeFileAtomically(try encoder.encode(state), to: tmp.appendingPathComponent(stateFile))
        try? fm.removeItem(at: final)
        guard rename(tmp.path, final.path) == 0 else {
            throw FileError(file: final.path, message: "cannot move the checkpoint into place: \(String(cString: strerror(errno)))")
        }
        return CheckpointFolder(url: final)
    }

    /// Writes the tensor files of a checkpoint being saved.
    public struct Writer {
        let folder: URL

        /// Writes `tensors` as the safetensors file `name` of the checkpoint.
        public func write(_ name: String, _ tensors: [String: StoredTensor], metadata: [String: String]? = nil) throws {
            try SafeTensors.write(tensors, metadata: metadata, to: folder.appendingPathComponent(name))
        }
    }

    /// The complete checkpoint with the highest step in `directory`, if any.
    public static func latest(in directory: URL) -> CheckpointFolder? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("checkpoint-") }.sorted().last.map { CheckpointFolder(url: directory.appendingPathComponent($0)) }
    }

    /// Restores the newest checkpoint in `directory` that `restore` accepts, for a resumed run: one
    /// that cannot be restored (a truncated tensor file, a damaged `trainer_state.json`) is reported
    /// through `warn` and the one before it tried, down to the oldest. Returns nil when there is no
    /// checkpoint; throws when there are some but none can be restored, rather than starting over.
    public static func restoreLatest<Value>(in directory: URL, warn: (String) -> Void,
                                            _ restore: (CheckpointFolder) throws -> Value) throws -> (folder: CheckpointFolder, value: Value)? {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasPrefix("checkpoint-") }.sorted().reversed()
        var newestError: Error?
        for (k, name) in names.enumerated() {
            let folder = CheckpointFolder(url: directory.appendingPathComponent(name))
            do { return (folder, try restore(folder)) } catch {
                let next = k + 1 < names.count ? "falling back to \(Array(names)[k + 1])" : "no earlier checkpoint"
                warn("cannot resume from \(name) (\(error)); \(next)")
                newestError = newestError ?? error
            }
        }
        if let newestError {
            throw FileError(file: directory.path, message: "none of the \(names.count) checkpoints can be restored; the newest: \(newestError)")
        }
        return nil
    }

    /// Removes all but the newest `keep` checkpoints in `directory`.
    public static func prune(in directory: URL, keep: Int) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("checkpoint-") }.sorted()
        for name in names.dropLast(keep) { try FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
    }

    /// The run's state from `trainer_state.json`.
    public func state<State: Decodable>(_ type: State.Type = State.self) throws -> State {
        let stateURL = url.appendingPathComponent(Self.stateFile)
        do { return try JSONDecoder().decode(State.self, from: Data(contentsOf: stateURL)) } catch {
            throw FileError(file: stateURL.path, message: "cannot read the trainer state: \(error)")
        }
    }

    /// The tensors of the safetensors file `name`.
    public func tensors(_ name: String) throws -> [String: StoredTensor] {
        try SafeTensors.read(from: url.appendingPathComponent(name)).tensors
    }
}

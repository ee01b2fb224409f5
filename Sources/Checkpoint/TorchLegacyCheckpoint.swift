import Foundation

/// A `torch.save` legacy pickle stream (placeholder).
struct TorchLegacyCheckpoint {
    let file: MappedFile
    func loadObject() throws -> PickleValue {
        throw CheckpointError(file: file.path, message: "legacy torch checkpoints are not supported yet")
    }
    func loadTensors() throws -> [String: StoredTensor] {
        throw CheckpointError(file: file.path, message: "legacy torch checkpoints are not supported yet")
    }
}

import Foundation

/// A `torch.save` zip archive (placeholder until the zip reader lands).
struct TorchZipCheckpoint {
    let file: MappedFile
    func loadObject() throws -> PickleValue {
        throw CheckpointError(file: file.path, message: "torch zip checkpoints are not supported yet")
    }
    func loadTensors() throws -> [String: StoredTensor] {
        throw CheckpointError(file: file.path, message: "torch zip checkpoints are not supported yet")
    }
}

import DeBERTaFiles
import Foundation

/// Reading the Python object inside a `torch.save` file, without executing any pickled code.
public enum TorchPickleFile {
    /// Decodes the object saved in a `torch.save` file, zip (PyTorch ≥ 1.6) or legacy format.
    ///
    /// Tensors come back as ``PickleValue/tensor(_:)`` references (their bytes are not read). Only
    /// plain containers and PyTorch's rebuild functions are understood; any other global
    /// (`os.system`, `builtins.eval`, a user class, …) is refused with a ``CheckpointError`` naming it.
    /// A plain pickle file (not written by `torch.save`) is accepted as well.
    public static func loadObject(from url: URL) throws -> PickleValue {
        let file = try MappedFile(url: url)
        switch CheckpointFile.sniffFormat(file) {
        case .torchZip: return try TorchZipCheckpoint(file: file).loadObject()
        case .safeTensors:
            throw CheckpointError(file: file.path, message: "this is a safetensors file, not a torch.save pickle; use SafeTensors.read")
        case .torchLegacy, nil:
            // Legacy torch stream, or a plain pickle of any protocol (protocol 0 has no PROTO opcode).
            return try TorchLegacyCheckpoint(file: file).loadObject()
        }
    }
}

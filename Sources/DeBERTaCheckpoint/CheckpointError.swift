import DeBERTaFiles

/// An error raised while reading or writing a checkpoint file: the file and what is wrong with it.
///
/// Every failure of this module names the file; malformed input never crashes the process and never
/// yields partially wrong tensors. It is the file-plumbing error of `DeBERTaFiles` (a mapped file
/// that cannot be opened and a malformed safetensors header are reported alike).
public typealias CheckpointError = FileError

// The inference product: one `import DeBERTa` gives the model, its configuration and loading (by
// folder, or by name through the hub's cache: DeBERTaHub), the tokenizers, tensors and checkpoint formats, plus the high-level API of this module. Foundation
// comes along because the API takes `URL`s, so that an app needs no other import.
@_exported import DeBERTaCheckpoint
@_exported import DeBERTaFiles
@_exported import DeBERTaHub
@_exported import DeBERTaModeling
@_exported import DeBERTaTensors
@_exported import DeBERTaTokenizers
@_exported import Foundation

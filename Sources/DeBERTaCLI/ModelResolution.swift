import DeBERTaHub
import DeBERTaModeling
import Foundation

/// The folder (or file) a model name on the command line stands for: a path, a hub id
/// `org/name[@revision]`, or a short name of the original code (`v3-base`), resolved by
/// `ModelResolver` from the environment (HF_ENDPOINT, HF_HUB_CACHE, HF_TOKEN, HF_HUB_OFFLINE): every
/// command accepts the same names.
func resolveModel(_ name: String, files: HubFiles = .model) throws -> URL {
    try ModelResolver().resolveSynchronously(name, files: files).url
}

/// `deberta bench --config`: a shape preset as it is, else the `config.json` of a file, folder or hub model.
func resolveConfiguration(_ name: String) throws -> String {
    if ModelPresets.names.contains(name) { return name }
    let url = try ModelResolver().resolveSynchronously(name, files: .configuration).url
    var isDirectory: ObjCBool = false
    let isFolder = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    return isFolder ? url.appendingPathComponent("config.json").path : url.path
}

import DeBERTaFiles

/// Parses the bytes of a tokenizer JSON file, accepting what Python's `json` writes (`NaN`,
/// `Infinity`) and a leading byte order mark; a syntax error becomes
/// ``TokenizerError/malformedFile(path:reason:)`` naming the file, the byte offset and the problem.
func parseJSONFile(_ bytes: [UInt8], path: String) throws -> JSONValue {
    do {
        return try JSONParser.parse(bytes, options: .lenient)
    } catch let error as JSONParser.SyntaxError {
        throw TokenizerError.malformedFile(path: path, reason: "not valid JSON: \(error)")
    }
}

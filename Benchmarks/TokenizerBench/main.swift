// TokenizerBench: throughput of the Tokenizers target on a text corpus.
//
//     swift run -c release TokenizerBench <tokenizer folder> <corpus> [--passes N]
//
// <corpus> is "wikitext:<file>" (one text per non-empty line) or "glue:<reference.jsonl>" (every
// `text` and `text_b` of the GLUE dev records, 1–4171, as separate texts). After one warm-up pass,
// prints the best of N timed passes for one thread (`encode` per text) and for all cores
// (`encodeBatch`), in MB/s of UTF-8 input and tokens/s (special tokens included), as one JSON line.
// Scripts/bench_tokenizers.py runs the same corpora through Hugging Face `tokenizers`.
import Foundation
import DeBERTaTokenizers

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

func loadTexts(_ spec: String) -> [String] {
    guard let colon = spec.firstIndex(of: ":") else { fail("corpus must be wikitext:<file> or glue:<reference.jsonl>") }
    let kind = spec[..<colon], path = String(spec[spec.index(after: colon)...])
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    switch kind {
    case "wikitext":
        // Split on the byte 0x0A (a String split on "\n" would not split CRLF, a single Character).
        return data.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
            .filter { !$0.unicodeScalars.allSatisfy(\.properties.isWhitespace) }
    case "glue":
        struct Record: Decodable { let text: String; let text_b: String? }
        var texts: [String] = []
        for (k, line) in data.split(separator: 0x0A).enumerated() where k < 4171 {
            guard let record = try? JSONDecoder().decode(Record.self, from: Data(line)) else { fail("bad record \(k + 1)") }
            texts.append(record.text)
            if let b = record.text_b { texts.append(b) }
        }
        return texts
    default:
        fail("unknown corpus kind \(kind)")
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else { fail("usage: TokenizerBench <tokenizer folder> <wikitext:file|glue:file> [--passes N]") }
var passes = 3
if let k = arguments.firstIndex(of: "--passes"), k + 1 < arguments.count, let n = Int(arguments[k + 1]) { passes = n }

let loadStart = Date()
let tokenizer: Tokenizer
do {
    tokenizer = try Tokenizer.load(directory: URL(fileURLWithPath: arguments[1]))
} catch {
    fail("\(error)")
}
let loadSeconds = Date().timeIntervalSince(loadStart)
let texts = loadTexts(arguments[2])
let bytes = texts.reduce(0) { $0 + $1.utf8.count }

func single() -> (Double, Int) {
    let start = Date()
    var tokens = 0
    for text in texts { tokens += tokenizer.encode(text).count }
    return (Date().timeIntervalSince(start), tokens)
}

func batch() -> (Double, Int) {
    let start = Date()
    let encodings = try! tokenizer.encodeBatch(texts)
    let seconds = Date().timeIntervalSince(start)
    return (seconds, encodings.reduce(0) { $0 + $1.count })
}

func best(_ run: () -> (Double, Int)) -> (Double, Int) {
    _ = run()  // warm-up (fills the per-thread word caches, as HF's cache is filled)
    var result = run()
    for _ in 1..<max(1, passes) {
        let r = run()
        if r.0 < result.0 { result = r }
    }
    return result
}

let (singleSeconds, tokenCount) = best(single)
let (batchSeconds, batchTokens) = best(batch)
precondition(batchTokens == tokenCount, "batch and single encodes disagree")
// One pathological input: a single 1 MB "word" (no spaces), which must not take quadratic time.
let longWord = String(repeating: "a", count: 1 << 20)
let longStart = Date()
let longTokens = tokenizer.encode(longWord).count
let longSeconds = Date().timeIntervalSince(longStart)
let megabytes = Double(bytes) / 1_000_000
let report: [String: Any] = [
    "implementation": "swift",
    "tokenizer": URL(fileURLWithPath: arguments[1]).lastPathComponent,
    "corpus": arguments[2].split(separator: ":").first.map(String.init) ?? "",
    "texts": texts.count, "bytes": bytes, "tokens": tokenCount,
    "load_seconds": (loadSeconds * 1000).rounded() / 1000,
    "single_MB_per_s": (megabytes / singleSeconds * 100).rounded() / 100,
    "single_tokens_per_s": (Double(tokenCount) / singleSeconds).rounded(),
    "all_cores_MB_per_s": (megabytes / batchSeconds * 100).rounded() / 100,
    "all_cores_tokens_per_s": (Double(tokenCount) / batchSeconds).rounded(),
    "cores": ProcessInfo.processInfo.activeProcessorCount,
    "one_MB_word_seconds": (longSeconds * 1000).rounded() / 1000, "one_MB_word_tokens": longTokens,
]
let json = try! JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))

// The Swift examples of README.md, copied verbatim so that every build compiles them
// (DeBERTaAPITests.ReadmeExamplesTests fails when a README block is missing here). Blocks are
// separated by blank lines and run from the repository root; the fill-mask one needs a generator
// folder from `make pretrain`.

import DeBERTa

let classifier = try TextClassifier(folder: URL(fileURLWithPath: "Examples/deberta-v3-h256-sst2"))
for score in try classifier.classify("A gripping, funny and moving film.") {
    print(score.label, score.score)   // the labels of config.json's id2label, best first
}
let best = try classifier.classify(["A dull, tedious mess.", "Wonderful."], topK: 1)
print(best.map { $0[0].label })

import DeBERTa

let folder = URL(fileURLWithPath: "Examples/deberta-v3-h256-sst2")
let (model, report) = try DeBERTaModel.load(from: folder)  // config.json + model.safetensors or pytorch_model.bin
let tokenizer = try Tokenizer.load(directory: folder)      // spm.model, vocab.json + merges.txt, tokenizer.json, …
print(tokenizer.encode("A gripping film.").inputIds)       // [CLS] … [SEP]
let input = try ModelInput(texts: ["A gripping film.", "A dull, tedious mess."], tokenizer: tokenizer)
let output = try model(input)                               // padded to the longest text with [PAD]
print(output.lastHiddenState.shape, output.logits?.shape ?? [], report.weightsFile)

import DeBERTa

let filler = try FillMask(folder: URL(fileURLWithPath: "runs/pretrain-rtd/generator"))
for candidate in try filler.predict("Paris is the [MASK] of France.", topK: 5)[0] {
    print(candidate.text, candidate.probability, candidate.sequence)
}

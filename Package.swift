// swift-tools-version:6.0
import PackageDescription

// The targets form one line, each using only those above it:
//
//   DeBERTaFiles, DeBERTaPythonCompat        file plumbing; Python's random / numpy shuffle / str semantics
//   DeBERTaKernels → DeBERTaTensors          C kernels; tensors, ops, autodiff, BLAS / oneDNN
//   DeBERTaCheckpoint                        safetensors, PyTorch zip / legacy pickles
//   DeBERTaTokenizers                        GPT-2 BPE, SentencePiece, tokenizer.json
//   DeBERTaModeling                          configuration, embeddings, disentangled attention, EMD, heads, loading
//   DeBERTaHub                               resolve a name to a folder: local path, huggingface_hub's cache, download
//   DeBERTa                                  the high-level inference API; re-exports the above   ← product "DeBERTa"
//   DeBERTaTraining                          the engine: optimizer, schedules, scaling, update step, run folders
//   DeBERTaGLUE → DeBERTaFineTuning, DeBERTaPretraining   applications             ← product "DeBERTaTraining"
//   DeBERTaCLI                               the `deberta` command                     ← product "deberta"
//
// No target carries unsafe build flags: SwiftPM refuses them in packages that others depend on.
let package = Package(
    name: "DeBERTa",
    platforms: [.macOS(.v13)],
    products: [
        /// Inference: load a model by folder, tokenize, run it, classify, fill masks.
        .library(name: "DeBERTa", targets: ["DeBERTa"]),
        /// Training: the engine, GLUE fine-tuning, MLM/RTD pretraining.
        .library(name: "DeBERTaTraining", targets: ["DeBERTaTraining", "DeBERTaGLUE", "DeBERTaFineTuning", "DeBERTaPretraining"]),
        .executable(name: "deberta", targets: ["DeBERTaCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        // Downloads from the Hugging Face Hub (DeBERTaHub); SwiftNIO also serves the hub's routes in HubTests.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        // JSON for foreign files, UTF-8 validation, memory-mapped files, atomic writes.
        .target(name: "DeBERTaFiles"),
        // Python's `random`, numpy's shuffle and `str` predicates, which the original's data code relies on.
        .target(name: "DeBERTaPythonCompat"),
        // The C kernels that need AVX-512 intrinsics, chosen at run time, and the worker pool.
        .target(name: "DeBERTaKernels", linkerSettings: [.linkedLibrary("m")]),
        // BLAS: OpenBLAS opened at run time on Linux (see BLAS.swift), Accelerate on Apple platforms;
        // oneDNN (bf16 matrix products) also opened at run time when present (see OneDNN.swift).
        .target(name: "DeBERTaTensors", dependencies: ["DeBERTaKernels"]),
        .target(
            name: "DeBERTaCheckpoint",
            dependencies: ["DeBERTaFiles", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .target(name: "DeBERTaTokenizers", dependencies: ["DeBERTaFiles", "DeBERTaPythonCompat", "DeBERTaCheckpoint"]),
        .target(name: "DeBERTaModeling", dependencies: ["DeBERTaTensors", "DeBERTaCheckpoint", "DeBERTaFiles"]),
        // Model names: a local folder or file, a hub id `org/name[@revision]` or one of the original's short names,
        // resolved through huggingface_hub's cache layout and downloaded when absent. Knows files, not models.
        .target(
            name: "DeBERTaHub",
            dependencies: [
                "DeBERTaFiles",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(name: "DeBERTa", dependencies: ["DeBERTaModeling", "DeBERTaTokenizers", "DeBERTaTensors", "DeBERTaCheckpoint", "DeBERTaFiles", "DeBERTaHub"]),
        .target(
            name: "DeBERTaTraining",
            dependencies: ["DeBERTa", "DeBERTaKernels", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "DeBERTaGLUE", dependencies: ["DeBERTaFiles"]),
        .target(
            name: "DeBERTaFineTuning",
            dependencies: ["DeBERTaTraining", "DeBERTaGLUE", "DeBERTaFiles", "DeBERTaPythonCompat", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "DeBERTaPretraining",
            dependencies: ["DeBERTaTraining", "DeBERTaPythonCompat", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "DeBERTaCLI",
            dependencies: [
                "DeBERTa", "DeBERTaHub", "DeBERTaTraining", "DeBERTaFineTuning", "DeBERTaPretraining",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Release-mode throughput benchmark of the tokenizers (see BENCHMARKS.md).
        .executableTarget(name: "TokenizerBench", dependencies: ["DeBERTaTokenizers"], path: "Benchmarks/TokenizerBench"),
        // The README's Swift examples, verbatim, so that they compile with every build (DeBERTaAPITests checks the copy).
        .executableTarget(name: "ReadmeExamples", dependencies: ["DeBERTa"], path: "Examples/ReadmeExamples"),
        // Test support: the locator of the reference files the repository carries in Tests/References
        // (SOURCES.md there), temporary folders, the gradient-check tolerance, prerequisites that fail.
        .target(name: "DeBERTaTestSupport", dependencies: ["DeBERTaTensors"], path: "Tests/DeBERTaTestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["DeBERTaTensors", "DeBERTaKernels", "DeBERTaTestSupport"]),
        .testTarget(name: "CheckpointTests", dependencies: ["DeBERTaCheckpoint", "DeBERTaFiles", "DeBERTaTestSupport"], exclude: ["Resources"]),
        .testTarget(name: "TokenizersTests", dependencies: ["DeBERTaTokenizers", "DeBERTaPythonCompat", "DeBERTaTestSupport"]),
        .testTarget(name: "DeBERTaTests", dependencies: ["DeBERTa", "DeBERTaModeling", "DeBERTaCheckpoint", "DeBERTaTensors", "DeBERTaTestSupport"]),
        .testTarget(name: "DeBERTaAPITests", dependencies: ["DeBERTa", "DeBERTaTestSupport"]),
        // The hub client against a hub served on 127.0.0.1 by SwiftNIO (HubTestServer.swift) from fixture folders.
        .testTarget(
            name: "HubTests",
            dependencies: [
                "DeBERTa", "DeBERTaHub", "DeBERTaTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "GLUETests", dependencies: ["DeBERTaGLUE", "DeBERTaTokenizers", "DeBERTaTestSupport"], exclude: ["Resources"]),
        .testTarget(name: "TrainingTests", dependencies: ["DeBERTaTraining", "DeBERTaFineTuning", "DeBERTaCLI", "DeBERTaModeling", "DeBERTaCheckpoint", "DeBERTaTensors", "DeBERTaGLUE", "DeBERTaTokenizers", "DeBERTaTestSupport"], exclude: ["Resources"]),
        .testTarget(name: "PretrainingTests", dependencies: ["DeBERTa", "DeBERTaPretraining", "DeBERTaTraining", "DeBERTaModeling", "DeBERTaCheckpoint", "DeBERTaTensors", "DeBERTaTokenizers", "DeBERTaPythonCompat", "DeBERTaTestSupport"],
                    exclude: ["Resources"]),
    ],
    swiftLanguageModes: [.v5]
)

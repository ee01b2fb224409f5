// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "DeBERTa",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "DeBERTa", targets: ["TensorCore", "Checkpoint", "Tokenizers", "DeBERTa", "GLUE", "Training", "Pretraining"]),
        .executable(name: "deberta", targets: ["DeBERTaCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    ],
    targets: [
        // float32 <-> bfloat16 conversion kernels (AVX-512 chosen at run time), for bf16 matrix products.
        .target(name: "CKernels", linkerSettings: [.linkedLibrary("m")]),
        // BLAS: OpenBLAS opened at run time on Linux (see BLAS.swift), Accelerate on Apple platforms;
        // oneDNN (bf16 matrix products) also opened at run time when present (see OneDNN.swift).
        .target(
            name: "TensorCore",
            dependencies: ["CKernels"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        .target(
            name: "Checkpoint",
            dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .target(name: "Tokenizers", dependencies: ["Checkpoint"]),
        .target(name: "DeBERTa", dependencies: ["TensorCore", "Checkpoint"]),
        .target(name: "GLUE"),
        .target(name: "Training", dependencies: ["CKernels", "TensorCore", "DeBERTa", "Checkpoint", "Tokenizers", "GLUE", .product(name: "Logging", package: "swift-log")]),
        // MLM and RTD pretraining (PRETRAINING.md): data preparation, masking, GDES, the training loop.
        .target(name: "Pretraining", dependencies: ["DeBERTa", "Training", "Tokenizers", "TensorCore", "Checkpoint", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "DeBERTaCLI",
            dependencies: [
                "DeBERTa", "Tokenizers", "Training", "Pretraining", "TensorCore", "Checkpoint",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Release-mode throughput benchmark of the tokenizers (see BENCHMARKS.md).
        .executableTarget(name: "TokenizerBench", dependencies: ["Tokenizers"], path: "Benchmarks/TokenizerBench"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "CKernels"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint"], exclude: ["Resources"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"]),
        .testTarget(name: "DeBERTaTests", dependencies: ["DeBERTa", "Checkpoint", "TensorCore"]),
        .testTarget(name: "GLUETests", dependencies: ["GLUE"], exclude: ["Resources"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "DeBERTa", "Checkpoint", "TensorCore", "GLUE", "Tokenizers"], exclude: ["Resources"]),
        .testTarget(name: "PretrainingTests", dependencies: ["Pretraining", "Training", "DeBERTa", "Checkpoint", "TensorCore", "Tokenizers"],
                    exclude: ["Resources"]),
    ],
    swiftLanguageModes: [.v5]
)

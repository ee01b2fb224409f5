// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "DeBERTa",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "DeBERTa", targets: ["TensorCore", "Checkpoint", "Tokenizers", "DeBERTa"]),
        .executable(name: "deberta", targets: ["DeBERTaCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // OpenBLAS on Linux (Debian: libopenblas-dev); Accelerate is used instead on Apple platforms.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "pkg-config"])]
        ),
        .target(
            name: "TensorCore",
            dependencies: [.target(name: "CBLAS", condition: .when(platforms: [.linux]))],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        .target(
            name: "Checkpoint",
            dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .target(name: "Tokenizers", dependencies: ["Checkpoint"]),
        .target(name: "DeBERTa", dependencies: ["TensorCore", "Checkpoint"]),
        .executableTarget(
            name: "DeBERTaCLI",
            dependencies: [
                "DeBERTa", "Tokenizers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Release-mode throughput benchmark of the tokenizers (see BENCHMARKS.md).
        .executableTarget(name: "TokenizerBench", dependencies: ["Tokenizers"], path: "Benchmarks/TokenizerBench"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"]),
        .testTarget(name: "DeBERTaTests", dependencies: ["DeBERTa", "Checkpoint", "TensorCore"]),
    ],
    swiftLanguageModes: [.v5]
)

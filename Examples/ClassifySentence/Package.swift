// swift-tools-version:6.0
// An app that uses this repository as a dependency, as any other package would: it depends on the
// inference product "DeBERTa" only and imports nothing else. `make consumer-example` builds and runs it.
import PackageDescription

let package = Package(
    name: "ClassifySentence",
    platforms: [.macOS(.v13)],
    dependencies: [
        // The package two folders up; from elsewhere: .package(url: "<this repository>", branch: "main").
        .package(name: "DeBERTa", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "ClassifySentence", dependencies: [.product(name: "DeBERTa", package: "DeBERTa")]),
    ]
)

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Formwork",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "FormworkRuntime", targets: ["FormworkRuntime"]),
        .library(name: "Formwork", targets: ["Formwork"]),
        .library(name: "FormworkTemplate", targets: ["FormworkTemplate"]),
        .library(name: "FormworkDiff", targets: ["FormworkDiff"]),
        .library(name: "FormworkCLI", targets: ["FormworkCLI"]),
        .library(name: "FormworkLambda", targets: ["FormworkLambda"]),
        .executable(name: "formwork", targets: ["formwork"]),
        .executable(name: "TaskManagementLambda", targets: ["TaskManagementLambda"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "FormworkYAML", dependencies: ["CYAML"]),
        .target(name: "FormworkRuntime"),
        .target(name: "Formwork", dependencies: ["FormworkRuntime"]),
        .target(name: "FormworkTemplate", dependencies: ["Formwork", "FormworkRuntime", "FormworkYAML"]),
        .target(
            name: "FormworkDiff",
            dependencies: ["Formwork", "FormworkTemplate", "FormworkYAML", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "FormworkSimulator",
            dependencies: [
                "Formwork", "FormworkRuntime",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Control/Console")]
        ),
        .target(
            name: "FormworkLambda",
            dependencies: [
                "FormworkRuntime",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(name: "TaskManagement", dependencies: ["FormworkRuntime"]),
        .target(
            name: "Blueprints",
            dependencies: ["Formwork", "TaskManagement"],
            path: "blueprints",
            exclude: ["site"]
        ),
        .target(
            name: "FormworkCLI",
            dependencies: [
                "Formwork", "FormworkTemplate", "FormworkDiff", "FormworkSimulator", "FormworkYAML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .executableTarget(name: "formwork", dependencies: ["FormworkCLI", "Blueprints"]),
        .executableTarget(name: "TaskManagementLambda", dependencies: ["Blueprints", "Formwork", "FormworkLambda"]),
        .executableTarget(
            name: "formwork-bench", dependencies: ["FormworkCLI", "Formwork", "FormworkTemplate", "FormworkDiff", "FormworkRuntime", "FormworkSimulator"]
        ),
        .target(
            name: "FormworkTestSupport",
            dependencies: ["FormworkCLI", "Formwork", "Blueprints", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Tests/FormworkTestSupport"),
        .testTarget(name: "FormworkYAMLTests", dependencies: ["FormworkYAML"]),
        .testTarget(name: "FormworkRuntimeTests", dependencies: ["FormworkRuntime"]),
        .testTarget(
            name: "FormworkLambdaTests",
            dependencies: [
                "FormworkLambda", "FormworkRuntime", "FormworkSimulator", "Formwork", "Blueprints", "FormworkTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "TaskManagementTests", dependencies: ["TaskManagement", "FormworkRuntime", "Formwork", "FormworkSimulator", "Blueprints"]),
        .testTarget(
            name: "FormworkTests",
            dependencies: ["Formwork", "FormworkTemplate", "FormworkYAML", "FormworkCLI", "Blueprints", "TaskManagement", "FormworkTestSupport"]
        ),
        .testTarget(
            name: "FormworkSimulatorTests",
            dependencies: [
                "FormworkSimulator", "Formwork", "FormworkRuntime", "Blueprints", "FormworkTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            exclude: ["Fixtures"]
        ),
        // The documentation's examples, generated by scripts/doc_examples.py: compiled, never run.
        .testTarget(
            name: "DocExamples",
            dependencies: [
                "Formwork", "FormworkCLI", "FormworkDiff", "FormworkLambda", "FormworkRuntime", "FormworkSimulator", "FormworkTemplate",
                "TaskManagement",
            ],
            path: "Tests/DocExamples"),
        .testTarget(
            name: "FormworkDiffTests",
            dependencies: ["FormworkDiff", "FormworkTemplate", "Formwork", "FormworkCLI", "Blueprints", "FormworkTestSupport"],
            exclude: ["Golden"]
        ),
    ]
)

// swift-tools-version:6.0
// A team's own package that depends on Formwork: its own blueprint and handler, and the
// formwork command line over them. `scripts/consumer-test.sh` builds and runs it.
import PackageDescription

let package = Package(
    name: "Consumer",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "../formwork")],
    targets: [
        .executableTarget(
            name: "consumer-formwork",
            dependencies: [
                .product(name: "Formwork", package: "formwork"),
                .product(name: "FormworkRuntime", package: "formwork"),
                .product(name: "FormworkCLI", package: "formwork"),
            ]
        )
    ]
)

import ArgumentParser
import Formwork
import Foundation
import ZIPFoundation

struct PackageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Build the functions' bootstrap and zip it at each function's CodeUri.",
        discussion: """
            Builds the blueprint's functions executable (its `functionsExecutable` product) with
            --static-swift-stdlib for Amazon Linux 2023 (provided.al2023), once per CPU architecture
            the functions use, and zips it as `bootstrap` at each function's CodeUri
            (.build/lambda/<Handler>/bootstrap.zip). The function's Handler names its handler type,
            which the executable looks up in the blueprint. After `formwork synth`, the templates
            point at these zips, so `sam deploy` takes them as they are.

            An architecture other than this machine's needs a Swift SDK for it
            (`swift sdk list`; the Static Linux SDK targets x86_64 and aarch64). Without one the
            command stops and says so; --host-architecture builds for this machine instead, for
            local runs (`formwork simulate --functions process`), not for deploying.

            Every bootstrap is checked before anything is written: its CPU must be its functions',
            and the glibc and libstdc++ symbol versions it needs must be ones provided.al2023 has
            (glibc 2.34). A bootstrap built on a newer system (Debian 12, Ubuntu 24.04) would stop
            at start, so the command refuses it. Build on Swift's Amazon Linux 2 image
            (swift:6.1-amazonlinux2) or with the Static Linux SDK, and hand the executable over
            with --bootstrap, which zips it instead of building.
            """)

    enum BuildConfiguration: String, ExpressibleByArgument, CaseIterable { case release, debug }

    @OptionGroup var blueprintOptions: BlueprintOptions

    @Option(name: .long, help: "Package only this environment's functions (default: every environment's).")
    var env: String?

    @Option(name: .long, help: "The executable product (default: the blueprint's functionsExecutable).")
    var product: String?

    @Option(name: .long, help: "release (default) or debug.")
    var configuration: BuildConfiguration = .release

    @Flag(name: .long, help: "Build for this machine's architecture when a function's cannot be built here.")
    var hostArchitecture = false

    @Option(name: .long, help: "The build directory of the static build, kept apart from the package's own.")
    var scratchPath = ".build/lambda-build"

    @Option(
        name: .long,
        help: "An executable built elsewhere, zipped instead of building for its architecture (read from the file); repeat for a second one.")
    var bootstrap: [String] = []

    func run() throws {
        let blueprint = try blueprintOptions.selected()
        let environments = try blueprintOptions.environments(of: blueprint, named: env)
        let product = self.product ?? blueprint.functionsExecutable
        let bundles = LambdaBundles(blueprint: blueprint, environments: environments)
        guard !bundles.zips.isEmpty else {
            Console.print("The blueprint has no functions; nothing to package.")
            return
        }
        let paths = Dictionary(grouping: bundles.zips, by: \.path).filter { $0.value.count > 1 }
        if let (path, zips) = paths.min(by: { $0.key < $1.key }) {
            throw CommandFailure.findings(
                "error: \(path) would hold a bootstrap for \(zips.map(\.architecture.rawValue).joined(separator: " and ")): the functions "
                    + "\(zips.flatMap(\.functions).joined(separator: ", ")) share a CodeUri across environments with different architectures; give them their own with .code(_:)"
            )
        }
        let host = CPUArchitecture.host
        let toolchain = SwiftToolchain()
        var plans: [CPUArchitecture: BuildPlan] = [:]
        var binaries: [CPUArchitecture: URL] = [:]
        var refusals: [String] = []
        var hostBootstrap: URL?
        let needed = Set(bundles.zips.map(\.architecture))
        for path in bootstrap {
            let requirements: ELFRequirements
            do { requirements = try ELFRequirements(contentsOf: URL(fileURLWithPath: path)) } catch let error as ELFRequirements.ReadError {
                refusals.append("error: --bootstrap \(error.description)")
                continue
            }
            guard let architecture = requirements.architecture else {
                refusals.append("error: --bootstrap \(path) is built for ELF machine \(requirements.machine), neither x86_64 nor arm64")
                continue
            }
            if binaries[architecture] != nil || (architecture == host && hostBootstrap != nil) {
                refusals.append("error: --bootstrap is given twice for \(architecture.rawValue)")
            } else if !needed.contains(architecture) && hostArchitecture && architecture == host {
                hostBootstrap = URL(fileURLWithPath: path)
            } else if !needed.contains(architecture) {
                refusals.append(
                    "error: --bootstrap \(path) is \(architecture.rawValue), and no function is: they are \(needed.map(\.rawValue).sorted().joined(separator: " and "))"
                )
            } else {
                binaries[architecture] = URL(fileURLWithPath: path)
                plans[architecture] = BuildPlan(target: architecture, sdk: nil, note: nil, prebuilt: true)
            }
        }
        for architecture in needed.sorted(by: { $0.rawValue < $1.rawValue }) where plans[architecture] == nil {
            if architecture == host {
                plans[architecture] = BuildPlan(target: host, sdk: nil, note: nil)
            } else if let sdk = toolchain.sdk(for: architecture) {
                plans[architecture] = BuildPlan(target: architecture, sdk: sdk, note: nil)
            } else if hostArchitecture {
                plans[architecture] = BuildPlan(
                    target: host, sdk: nil,
                    note: "built for \(host.rawValue), this machine, not for the functions' \(architecture.rawValue): for local runs, not for deploying",
                    prebuilt: hostBootstrap != nil)
                binaries[architecture] = hostBootstrap
            } else {
                refusals.append(
                    "error: the functions \(bundles.names(for: architecture)) are \(architecture.rawValue), and this \(host.rawValue) machine has no Swift SDK for \(architecture.rawValue) (`swift sdk list` shows none): cannot cross-compile. Install the Static Linux SDK, run on an \(architecture.rawValue) machine, or pass --host-architecture to build for this machine for local runs."
                )
            }
        }
        if !refusals.isEmpty { throw CommandFailure.findings(refusals.joined(separator: "\n")) }
        for (architecture, plan) in plans.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !plan.prebuilt {
            binaries[architecture] = try toolchain.build(product: product, configuration: configuration.rawValue, plan: plan, scratchPath: scratchPath)
        }
        // Nothing is written unless every bootstrap would start on the functions' runtime.
        var warnings: [String] = []
        for (architecture, binary) in binaries.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard let plan = plans[architecture] else { continue }
            let requirements = try ELFRequirements(contentsOf: binary)
            if plan.note == nil, requirements.architecture != architecture {
                refusals.append(
                    "error: the \(architecture.rawValue) bootstrap \(binary.path) is built for \(requirements.architecture?.rawValue ?? "ELF machine \(requirements.machine)")"
                )
            }
            let runtime = LambdaRuntimeLibraries.providedAL2023
            let missing = runtime.missing(in: requirements)
            guard !missing.isEmpty else { continue }
            let problem =
                "the \(architecture.rawValue) functions' bootstrap needs \(missing.joined(separator: ", ")), which \(runtime.runtime) lacks (it has \(runtime.summary)): "
                + "Lambda would stop it at start"
            if plan.note != nil {
                warnings.append("warning: \(problem); fine for local runs on this machine")
            } else {
                refusals.append(
                    "error: \(problem). Build it on a system no newer (Swift's image swift:6.1-amazonlinux2) or with the Static Linux SDK, and pass it with --bootstrap"
                )
            }
        }
        if !refusals.isEmpty { throw CommandFailure.findings(refusals.joined(separator: "\n")) }
        warnings.forEach(Console.error)
        var rows: [[String]] = []
        var written: [CPUArchitecture: URL] = [:]
        for zip in bundles.zips {
            guard let plan = plans[zip.architecture], let binary = binaries[zip.architecture] else { continue }
            let destination = URL(fileURLWithPath: zip.path)
            // Every zip of one architecture holds the same bootstrap: compress it once.
            let size = try written[zip.architecture].map { try LambdaZip.copy($0, to: destination) } ?? LambdaZip.write(bootstrap: binary, to: destination)
            written[zip.architecture] = written[zip.architecture] ?? destination
            let binarySize = (try? FileManager.default.attributesOfItem(atPath: binary.path)[.size] as? Int) ?? 0
            rows.append([
                zip.functions.joined(separator: ", "), plan.target.rawValue + Self.origin(plan), zip.path,
                Self.megabytes(binarySize), Self.megabytes(size),
            ])
        }
        for (architecture, plan) in plans.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if let note = plan.note { Console.error("warning: the \(architecture.rawValue) functions' zips are \(note)") }
        }
        Console.print(TextTable.render(header: ["FUNCTIONS", "ARCH", "ZIP", "BOOTSTRAP", "ZIPPED"], rows: rows))
        let given = plans.values.contains(where: \.prebuilt)
        Console.print("\(rows.count) zip(s) of \(given ? "the given bootstrap" : "\(product) (\(configuration.rawValue), --static-swift-stdlib)")")
    }

    /// How the ARCH column qualifies a zip's bootstrap: built for this machine, given, or both.
    static func origin(_ plan: BuildPlan) -> String {
        let notes = (plan.note == nil ? [] : ["host"]) + (plan.prebuilt ? ["given"] : [])
        return notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))"
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}

/// The zips a blueprint's functions need: one per distinct CodeUri, with the functions (by
/// logical ID) that use it and their architecture.
struct LambdaBundles {
    struct Zip {
        var path: String
        var architecture: CPUArchitecture
        var functions: [String]
    }

    var zips: [Zip] = []

    init(blueprint: any Blueprint, environments: [Environment]) {
        for environment in environments {
            for function in blueprint.architecture(for: environment).resources(of: Function.self) {
                if let index = zips.firstIndex(where: { $0.path == function.codePath && $0.architecture == function.architecture }) {
                    if !zips[index].functions.contains(function.name) { zips[index].functions.append(function.name) }
                } else {
                    zips.append(Zip(path: function.codePath, architecture: function.architecture, functions: [function.name]))
                }
            }
        }
    }

    func names(for architecture: CPUArchitecture) -> String {
        zips.filter { $0.architecture == architecture }.flatMap(\.functions).joined(separator: ", ")
    }
}

/// One build: for which architecture, with which Swift SDK (none for this machine's), or an
/// executable given ready-made.
struct BuildPlan {
    var target: CPUArchitecture
    var sdk: String?
    var note: String?
    /// Given with --bootstrap: zipped as it is, not built.
    var prebuilt = false
}

/// The `swift` on the PATH: its installed SDKs, and static builds of a product.
struct SwiftToolchain {
    /// An installed Swift SDK that targets Linux on `architecture` (the Static Linux SDK's
    /// `x86_64-swift-linux-musl` / `aarch64-swift-linux-musl`).
    func sdk(for architecture: CPUArchitecture) -> String? {
        let prefix = architecture == .arm64 ? "aarch64" : "x86_64"
        let listed = (try? Self.run(["sdk", "list"], capture: true)) ?? ""
        guard listed.contains("static-linux") || listed.contains("linux-musl") else { return nil }
        return "\(prefix)-swift-linux-musl"
    }

    /// Builds `product` with the static standard library; returns the executable.
    func build(product: String, configuration: String, plan: BuildPlan, scratchPath: String) throws -> URL {
        var arguments = ["build", "-c", configuration, "--product", product, "--static-swift-stdlib", "--scratch-path", scratchPath]
        if let sdk = plan.sdk { arguments += ["--swift-sdk", sdk] }
        Console.error("$ swift \(arguments.joined(separator: " "))")
        _ = try Self.run(arguments, capture: false)
        let binPath = try Self.run(arguments + ["--show-bin-path"], capture: true).trimmingCharacters(in: .whitespacesAndNewlines)
        return URL(fileURLWithPath: binPath).appendingPathComponent(product)
    }

    /// Runs `swift` with `arguments`; its output goes to standard error unless captured.
    static func run(_ arguments: [String], capture: Bool) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift"] + arguments
        let pipe = Pipe()
        process.standardOutput = capture ? pipe : FileHandle.standardError
        process.standardError = capture ? pipe : FileHandle.standardError
        try process.run()
        let data = capture ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure.findings("error: `swift \(arguments.joined(separator: " "))` failed with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A Lambda deployment package: one entry, `bootstrap`, executable, with a fixed timestamp so
/// the same executable always gives the same zip.
enum LambdaZip {
    static let fixedDate = Date(timeIntervalSince1970: 315_532_800)  // 1980-01-01, the earliest a zip can say

    /// Copies a zip already written (replacing any); returns its size in bytes.
    static func copy(_ source: URL, to zip: URL) throws -> Int {
        try FileManager.default.createDirectory(at: zip.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: zip)
        try FileManager.default.copyItem(at: source, to: zip)
        return (try FileManager.default.attributesOfItem(atPath: zip.path)[.size] as? Int) ?? 0
    }

    /// Writes the zip (replacing any); returns its size in bytes.
    static func write(bootstrap: URL, to zip: URL) throws -> Int {
        try FileManager.default.createDirectory(at: zip.deletingLastPathComponent(), withIntermediateDirectories: true)
        let partial = zip.appendingPathExtension("partial")
        try? FileManager.default.removeItem(at: partial)
        let data = try Data(contentsOf: bootstrap)
        let archive = try Archive(url: partial, accessMode: .create)
        try archive.addEntry(
            with: "bootstrap", type: .file, uncompressedSize: Int64(data.count), modificationDate: fixedDate, permissions: 0o755,
            compressionMethod: .deflate
        ) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
        try? FileManager.default.removeItem(at: zip)
        try FileManager.default.moveItem(at: partial, to: zip)
        return (try FileManager.default.attributesOfItem(atPath: zip.path)[.size] as? Int) ?? 0
    }
}

extension CPUArchitecture {
    /// The architecture of this machine.
    static var host: CPUArchitecture {
        #if arch(arm64)
            .arm64
        #else
            .x86_64
        #endif
    }
}

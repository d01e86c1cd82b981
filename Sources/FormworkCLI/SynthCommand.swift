import ArgumentParser
import Formwork
import FormworkTemplate
import Foundation

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate the SAM/CloudFormation template, OpenAPI document and samconfig.toml.",
        discussion: """
            Writes <output>/<env>/template.yaml and <output>/<env>/openapi.yaml for each environment,
            <output>/account/template.yaml (API Gateway's CloudWatch role, one per account and region)
            when an environment has a REST API, <output>/pipeline/template.yaml and the buildspecs its
            builds run when the blueprint has a delivery pipeline, and <output>/samconfig.toml with one
            section per stack. Nothing is written when the
            blueprint has errors. The same blueprint always gives byte-identical files.
            """)

    @OptionGroup var blueprintOptions: BlueprintOptions

    @Option(name: .long, help: "Synthesize only this environment.")
    var env: String?

    @Flag(name: .long, help: "Synthesize every environment (the default).")
    var all = false

    @Option(name: .long, help: "The output directory.")
    var output = "output"

    @Option(name: .long, help: "yaml or json.")
    var format: TemplateFormat = .yaml

    func validate() throws {
        if all && env != nil { throw ValidationError("--env and --all exclude each other") }
    }

    func run() throws {
        let blueprint = try blueprintOptions.selected()
        let environments = try blueprintOptions.environments(of: blueprint, named: env)
        let plan = try SynthesisPlan(blueprint: blueprint, environments: environments, output: output, format: format)
        if plan.failed {
            throw CommandFailure.findings("error: the blueprint has errors; nothing was written")
        }
        for file in plan.files {
            try write(file.text, to: file.path)
            Console.print("wrote \(file.path) (\(file.text.utf8.count) bytes)")
        }
    }
}

/// Every file `synth` writes for some environments, rendered in memory, with the diagnostics
/// already reported. `check` compares the same files with those on disk.
struct SynthesisPlan {
    /// A file to write.
    struct File {
        var path: String
        var text: String
        var environment: Environment?
        var template: Template?
    }

    var files: [File] = []
    var failed = false

    init(blueprint: any Blueprint, environments: [Environment], output: String, format: TemplateFormat) throws {
        // Every diagnostic first, once each with the environments it occurs in; nothing is
        // rendered from a model with errors.
        var report = DiagnosticsReport()
        var results: [(Environment, SynthesisResult)] = []
        for environment in environments {
            let codeRoot = Self.relativePath(from: "\(output)/\(environment.name)", to: FileManager.default.currentDirectoryPath)
            let result = Synthesizer(blueprint: blueprint, environment: environment, codeRoot: codeRoot).synthesize()
            report.add(result.diagnostics, context: environment.name)
            results.append((environment, result))
        }
        let pipeline = blueprint.delivery.map { PipelineSynthesizer(blueprint: blueprint, delivery: $0).synthesize() }
        if let pipeline { report.add(pipeline.diagnostics, context: PipelineSynthesizer.directory) }
        report.print()
        failed = report.hasErrors
        if failed { return }
        for (environment, var result) in results {
            let template = try Self.render { try result.render(as: format) }
            files.append(
                File(
                    path: "\(output)/\(environment.name)/template.\(format.fileExtension)", text: template,
                    environment: environment, template: result.template))
            let apis = result.architecture.resources(of: RestAPI.self)
            for api in apis {
                let document = OpenAPIDocument.make(for: api, architecture: result.architecture, environment: environment)
                let suffix = apis.count == 1 ? "" : "-\(api.name)"
                files.append(
                    File(
                        path: "\(output)/\(environment.name)/openapi\(suffix).\(format.fileExtension)",
                        text: try Self.render { try document.rendered(as: format) }, environment: environment))
            }
        }
        if let pipeline {
            let directory = "\(output)/\(PipelineSynthesizer.directory)"
            files.append(
                File(
                    path: "\(directory)/template.\(format.fileExtension)", text: try Self.render { try pipeline.template.rendered(as: format) },
                    template: pipeline.template))
            for buildspec in pipeline.buildspecs {
                files.append(File(path: "\(directory)/\(buildspec.fileName)", text: try Self.render { try buildspec.document.rendered(as: .yaml) }))
            }
        }
        if let account = AccountSynthesizer(blueprint: blueprint).synthesize() {
            files.append(
                File(
                    path: "\(output)/\(AccountSynthesizer.directory)/template.\(format.fileExtension)",
                    text: try Self.render { try account.rendered(as: format) }, template: account))
        }
        // samconfig.toml has a section for every environment, synthesized or not by this run.
        var templates = Dictionary(uniqueKeysWithValues: results.map { ($0.0.name, $0.1.template) })
        for environment in blueprint.environments where templates[environment.name] == nil {
            templates[environment.name] = Synthesizer(blueprint: blueprint, environment: environment).synthesize().template
        }
        let samconfig = SAMConfig.make(blueprint: blueprint, format: format, templates: templates)
        files.append(File(path: "\(output)/samconfig.toml", text: samconfig))
    }

    /// The path of `target` as seen from `directory` (both absolute, or relative to the current
    /// directory): `output/dev` → `../..`.
    static func relativePath(from directory: String, to target: String) -> String {
        func components(_ path: String) -> [String] {
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            var result: [String] = []
            for part in absolute.split(separator: "/") where part != "." {
                if part == ".." { _ = result.popLast() } else { result.append(String(part)) }
            }
            return result
        }
        let from = components(directory), to = components(target)
        let common = zip(from, to).prefix { $0 == $1 }.count
        let path = Array(repeating: "..", count: from.count - common) + to[common...]
        return path.isEmpty ? "." : path.joined(separator: "/")
    }

    private static func render(_ body: () throws -> String) throws -> String {
        do { return try body() } catch {
            throw CommandFailure.usage("error: could not render (a bug in Formwork, please report it): \(error)")
        }
    }
}

/// Writes a file, creating its directory; I/O failures become exit status 2.
func write(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: .atomic)
    } catch {
        throw CommandFailure.usage("error: cannot write \(path): \(error.localizedDescription)")
    }
}

extension TemplateFormat: ExpressibleByArgument {}

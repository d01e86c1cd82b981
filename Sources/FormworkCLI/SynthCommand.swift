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
            and <output>/samconfig.toml with one section per environment. Nothing is written when the
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
        var files: [(path: String, text: String)] = []
        var failed = false
        for environment in environments {
            var result = Synthesizer(blueprint: blueprint, environment: environment).synthesize()
            let template = try render { try result.render(as: format) }
            failed = report(result.diagnostics, environment: environment) || failed
            files.append(("\(output)/\(environment.name)/template.\(format.fileExtension)", template))
            for api in result.architecture.resources(of: RestAPI.self) {
                let document = OpenAPIDocument.make(for: api, architecture: result.architecture, environment: environment)
                let suffix = result.architecture.resources(of: RestAPI.self).count == 1 ? "" : "-\(api.name)"
                files.append(
                    (
                        "\(output)/\(environment.name)/openapi\(suffix).\(format.fileExtension)",
                        try render { try document.rendered(as: format) }
                    ))
            }
        }
        if failed {
            throw CommandFailure.findings("error: the blueprint has errors; nothing was written")
        }
        files.append(
            (
                "\(output)/samconfig.toml",
                SAMConfig.make(blueprintName: blueprint.name, environments: blueprint.environments, region: blueprint.region, format: format)
            ))
        for file in files {
            try write(file.text, to: file.path)
            Console.print("wrote \(file.path) (\(file.text.utf8.count) bytes)")
        }
    }

    private func render(_ body: () throws -> String) throws -> String {
        do { return try body() } catch {
            throw CommandFailure.usage("error: could not render: \(error)")
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

import ArgumentParser
import Formwork
import FormworkTemplate

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the blueprint in every environment and report all problems at once.",
        discussion: "Prints file:line:column diagnostics; exits 1 when any is an error.")

    @OptionGroup var blueprintOptions: BlueprintOptions

    @Option(name: .long, help: "Check only this environment.")
    var env: String?

    func run() throws {
        let blueprint = try blueprintOptions.selected()
        let environments = try blueprintOptions.environments(of: blueprint, named: env)
        var report = DiagnosticsReport()
        var results: [(Environment, SynthesisResult)] = []
        for environment in environments {
            let result = Synthesizer(blueprint: blueprint, environment: environment).synthesize()
            report.add(result.diagnostics, context: environment.name)
            results.append((environment, result))
        }
        var checked = environments.map(\.name)
        if let delivery = blueprint.delivery {
            report.add(delivery.validate(environments: blueprint.environments), context: PipelineSynthesizer.directory)
            checked.append("the pipeline")
        }
        report.print()
        if report.hasErrors { throw CommandFailure.findings() }
        // The model is valid: rendering cannot fail on anything a blueprint says.
        for (environment, var result) in results {
            do {
                _ = try result.render(as: .yaml)
            } catch {
                throw CommandFailure.usage("error: the \(environment.name) template cannot be rendered (a bug in Formwork, please report it): \(error)")
            }
        }
        let warnings = report.warnings
        let names = checked.joined(separator: ", ")
        Console.print("\(blueprint.name): no errors in \(names)\(warnings > 0 ? " (\(warnings) warning\(warnings == 1 ? "" : "s"))" : "")")
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the template's resources as a table: logical ID, type, blueprint resource, where declared.")

    @OptionGroup var blueprintOptions: BlueprintOptions

    @Option(name: .long, help: "The environment (default: the blueprint's first).")
    var env: String?

    func run() throws {
        let blueprint = try blueprintOptions.selected()
        guard let environment = try blueprintOptions.environments(of: blueprint, named: env).first else { return }
        let result = Synthesizer(blueprint: blueprint, environment: environment).synthesize()
        let rows = result.template.resources.map { resource in
            [resource.logicalID, resource.type, resource.origin?.name ?? "", resource.originLocation?.description ?? ""]
        }
        Console.print(TextTable.render(header: ["LOGICAL ID", "TYPE", "FROM", "DECLARED AT"], rows: rows))
        Console.print("\(rows.count) resources in \(environment.name)")
        if report(result.diagnostics, environment: environment) { throw CommandFailure.findings() }
    }
}

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw the architecture: resources and the references between them, as Mermaid or Graphviz dot.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case mermaid, dot }

    @OptionGroup var blueprintOptions: BlueprintOptions

    @Option(name: .long, help: "The environment (default: the blueprint's last, usually prod).")
    var env: String?

    @Option(name: .long, help: "mermaid or dot.")
    var format: Format = .mermaid

    func run() throws {
        let blueprint = try blueprintOptions.selected()
        guard let environment = try blueprintOptions.environments(of: blueprint, named: env).last else { return }
        let architecture = blueprint.architecture(for: environment)
        var report = DiagnosticsReport()
        report.add(architecture.validate(), context: environment.name)
        if let delivery = blueprint.delivery {
            report.add(delivery.validate(environments: blueprint.environments), context: PipelineSynthesizer.directory)
        }
        report.print()
        if report.hasErrors { throw CommandFailure.findings("error: the blueprint has errors; nothing was drawn") }
        let graph = ArchitectureGraph(
            architecture: architecture, delivery: blueprint.delivery,
            bootstrapArchitectures: blueprint.delivery?.bootstrapArchitectures(of: blueprint) ?? [])
        Console.print(graph.render(format == .mermaid ? .mermaid : .dot))
    }
}

/// Left-aligned columns separated by two spaces.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

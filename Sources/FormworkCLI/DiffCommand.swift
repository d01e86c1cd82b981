import ArgumentParser
import Formwork
import FormworkDiff
import FormworkTemplate
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare environments or templates, and flag replacements and data loss.",
        discussion: """
            formwork diff dev prod                                          environment against environment
            formwork diff --env prod --against output/prod/template.yaml    a fresh synth against a template
            formwork diff old.yaml new.json                                 any two templates (YAML or JSON)

            The comparison is semantic: key order, YAML style and equivalent intrinsic forms make no
            difference, and Tags and similar lists compare as sets. Each change is rated
            no-interruption, some-interruption or replacement; replacing or deleting a table, bucket,
            user pool, key or retained log group is flagged as data loss unless its policy is Retain.
            Exit status: 0 no difference at the --fail-on level, 1 differences at that level, 2 error.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, markdown, json }

    @OptionGroup var blueprintOptions: BlueprintOptions

    @Argument(help: "Two environments of the blueprint, or two template files (old, then new).")
    var sides: [String] = []

    @Option(name: .long, help: "With --against: the environment to synthesize and compare.")
    var env: String?

    @Option(name: .long, help: "A template (committed or deployed) to compare a fresh synth of --env against.")
    var against: String?

    @Option(name: .long, help: "text, markdown or json.")
    var format: Format = .text

    @Option(
        name: .customLong("fail-on"),
        help: "any, replacement (replaced or removed resources, failing updates), data-loss (data loss or failing updates) or none.")
    var failOn: FailLevel = .any

    @Flag(name: .customLong("no-color"), help: "Plain text even on a terminal (NO_COLOR is respected too).")
    var noColor = false

    func validate() throws {
        if against != nil && !sides.isEmpty { throw ValidationError("give either two sides or --env with --against, not both") }
        if against != nil && env == nil { throw ValidationError("--against needs --env, the environment to synthesize") }
        if against == nil && sides.count != 2 { throw ValidationError("give two environments or two template files to compare") }
    }

    func run() throws {
        let (diff, title) = try compare()
        let color =
            format == .text && !noColor && Console.isTerminal
            && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let text: String =
            switch format {
            case .text: TextRenderer(color: color).render(diff, title: title)
            case .markdown: MarkdownRenderer.render(diff, title: title)
            case .json: JSONRenderer.render(diff, title: title)
            }
        if !text.isEmpty { Console.print(text) }
        if failOn.isReached(by: diff) { throw CommandFailure.findings() }
    }

    private func compare() throws -> (TemplateDiff, String) {
        if let against {
            let blueprint = try blueprintOptions.selected()
            let environment = try blueprintOptions.environments(of: blueprint, named: env)[0]
            let fresh = try synthesize(blueprint, environment)
            let old = try readTemplate(against)
            return (
                TemplateDiff(old: old, new: fresh.document.normalized, locations: locations(fresh)),
                "\(against) → \(environment.name) (fresh synth)"
            )
        }
        let (first, second) = (sides[0], sides[1])
        let blueprint = FormworkCLI.blueprints.isEmpty ? nil : try blueprintOptions.selected()
        let isFile = { (path: String) in FileManager.default.fileExists(atPath: path) }
        if let blueprint, !isFile(first), !isFile(second),
            let a = blueprint.environment(named: first), let b = blueprint.environment(named: second)
        {
            return (TemplateDiff(old: try synthesize(blueprint, a), new: try synthesize(blueprint, b)), "\(first) → \(second)")
        }
        for side in [first, second] where !isFile(side) && blueprint?.environment(named: side) == nil {
            throw CommandFailure.usage("error: '\(side)' is neither an environment of the blueprint nor a template file")
        }
        guard isFile(first), isFile(second) else {
            throw CommandFailure.usage("error: compare two environments or two files, not one of each")
        }
        return (TemplateDiff(old: try readTemplate(first), new: try readTemplate(second)), "\(first) → \(second)")
    }

    private func synthesize(_ blueprint: any Blueprint, _ environment: Environment) throws -> Template {
        let result = Synthesizer(blueprint: blueprint, environment: environment).synthesize()
        if report(result.diagnostics.filter { $0.severity == .error }, environment: environment) {
            throw CommandFailure.findings("error: the blueprint has errors")
        }
        return result.template
    }

    private func locations(_ template: Template) -> [String: SourceLocation] {
        var locations: [String: SourceLocation] = [:]
        for resource in template.resources { locations[resource.logicalID] = resource.originLocation }
        return locations
    }
}

/// Reads a template file; unreadable or malformed files are usage errors (exit 2).
func readTemplate(_ path: String) throws -> TemplateValue {
    do { return try TemplateReader.read(path: path) } catch let error as TemplateReader.ReadError {
        throw CommandFailure.usage("error: \(error.description)")
    }
}

extension FailLevel: ExpressibleByArgument {}

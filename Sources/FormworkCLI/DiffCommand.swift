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
            formwork diff dev prod                                          environment against environment, as configuration
            formwork diff dev prod --raw                                    the two templates in full
            formwork diff --env prod --against output/prod/template.yaml    a fresh synth against a template
            formwork diff --env prod --template packaged/prod.yaml --against deployed.json
                                                                            what will be deployed against what is
            formwork diff old.yaml new.json                                 any two templates (YAML or JSON)

            Two environments are separate stacks, so they are compared as configuration: names derived
            from the environment's name are masked, and the settings that differ are listed per blueprint
            resource with the blueprint lines where the environment decides them; nothing is rated.
            --against also reads the JSON `aws cloudformation get-template` prints (TemplateBody).
            --template compares that template (the packaged one `sam package` wrote, with its code in
            S3) instead of a fresh synth, keeping --env's blueprint lines: a function's code shows as
            changed only when its package did.
            The comparison is semantic: key order, YAML style and equivalent intrinsic forms make no
            difference, and Tags and similar lists compare as sets. Each change is rated
            no-interruption, some-interruption or replacement; replacing or deleting a table, bucket,
            user pool, key or retained log group is flagged as data loss unless its policy is Retain.
            For SAM templates the diff also rates what SAM's transform generates (an API's stage,
            deployment and per-route permissions, settings from Globals), and says what it replaces.
            --rules prints the replacement table as JSON, with the citation behind each rule the
            provider schemas do not state.
            Exit status: 0 no difference at the --fail-on level, 1 differences at that level, 2 error.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, markdown, json, github }

    @OptionGroup var blueprintOptions: BlueprintOptions

    @Argument(help: "Two environments of the blueprint, or two template files (old, then new).")
    var sides: [String] = []

    @Option(name: .long, help: "With --against: the environment to synthesize and compare.")
    var env: String?

    @Option(name: .long, help: "A template (committed or deployed) to compare a fresh synth of --env against.")
    var against: String?

    @Option(name: .long, help: "With --env and --against: compare this template (e.g. the packaged one) instead of a fresh synth.")
    var template: String?

    @Option(name: .long, help: "text, markdown, json or github (annotations at the blueprint's lines for GitHub Actions).")
    var format: Format = .text

    @Option(
        name: .customLong("fail-on"),
        help: "any, replacement (replaced or removed resources, failing updates), data-loss (data loss or failing updates) or none.")
    var failOn: FailLevel = .any

    @Flag(name: .customLong("no-color"), help: "Plain text even on a terminal (NO_COLOR is respected too).")
    var noColor = false

    @Flag(name: .long, help: "Two environments: compare their templates in full, with replacements rated, not as configuration.")
    var raw = false

    @Flag(name: .long, help: "Print the replacement rules as JSON and exit.")
    var rules = false

    func validate() throws {
        if rules { return }
        if against != nil && !sides.isEmpty { throw ValidationError("give either two sides or --env with --against, not both") }
        if against != nil && env == nil { throw ValidationError("--against needs --env, the environment to synthesize") }
        if against == nil && sides.count != 2 { throw ValidationError("give two environments or two template files to compare") }
        if template != nil && against == nil { throw ValidationError("--template is compared --against a template; give both, with --env") }
    }

    func run() throws {
        if rules {
            Console.print(ReplacementRules.jsonText)
            return
        }
        let color =
            format == .text && !noColor && Console.isTerminal
            && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        switch try compare() {
        case .configuration(let diff):
            let text: String =
                switch format {
                case .text: ConfigurationRenderer.text(diff)
                case .markdown: ConfigurationRenderer.markdown(diff)
                case .json: ConfigurationRenderer.json(diff)
                case .github: ConfigurationRenderer.github(diff)
                }
            if !text.isEmpty { Console.print(text) }
            if failOn == .any && !diff.isEmpty { throw CommandFailure.findings() }
        case .templates(let diff, let title):
            let text: String =
                switch format {
                case .text: TextRenderer(color: color).render(diff, title: title)
                case .markdown: MarkdownRenderer.render(diff, title: title)
                case .json: JSONRenderer.render(diff, title: title)
                case .github: GitHubRenderer.render(diff, title: title)
                }
            if !text.isEmpty { Console.print(text) }
            if failOn.isReached(by: diff) { throw CommandFailure.findings() }
        }
    }

    private enum Comparison {
        case templates(TemplateDiff, title: String)
        case configuration(ConfigurationDiff)
    }

    private func compare() throws -> Comparison {
        if let against {
            let blueprint = try blueprintOptions.selected()
            let environment = try blueprintOptions.environments(of: blueprint, named: env)[0]
            let fresh = try synthesize(blueprint, environment)
            let old = try readTemplate(against)
            let new = try template.map(readTemplate) ?? fresh.document.normalized
            return .templates(
                TemplateDiff(old: old, new: new, locations: locations(fresh)),
                title: "\(against) → \(template.map { "\($0) (\(environment.name))" } ?? "\(environment.name) (fresh synth)")")
        }
        let (first, second) = (sides[0], sides[1])
        let blueprint = FormworkCLI.blueprints.isEmpty ? nil : try blueprintOptions.selected()
        let isFile = { (path: String) in FileManager.default.fileExists(atPath: path) }
        if let blueprint, !isFile(first), !isFile(second),
            let a = blueprint.environment(named: first), let b = blueprint.environment(named: second)
        {
            let (old, new) = (try synthesize(blueprint, a), try synthesize(blueprint, b))
            if raw { return .templates(TemplateDiff(old: old, new: new), title: "\(first) → \(second)") }
            return .configuration(ConfigurationDiff(old: old, oldEnvironment: a.name, new: new, newEnvironment: b.name))
        }
        for side in [first, second] where !isFile(side) && blueprint?.environment(named: side) == nil {
            throw CommandFailure.usage("error: '\(side)' is neither an environment of the blueprint nor a template file")
        }
        guard isFile(first), isFile(second) else {
            throw CommandFailure.usage("error: compare two environments or two files, not one of each")
        }
        return .templates(TemplateDiff(old: try readTemplate(first), new: try readTemplate(second)), title: "\(first) → \(second)")
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

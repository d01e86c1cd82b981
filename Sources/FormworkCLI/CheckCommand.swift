import ArgumentParser
import Formwork
import FormworkDiff
import FormworkTemplate
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "The CI gate: validate the blueprint and check that output/ matches a fresh synth.",
        discussion: """
            Synthesizes every environment in memory and compares each file with the one in the
            output directory, byte for byte. A stale file is shown as a semantic diff (committed →
            fresh). Exit status 1 when the blueprint has errors or output/ is stale.
            """)

    @OptionGroup var blueprintOptions: BlueprintOptions

    @Option(name: .long, help: "The directory synth writes to.")
    var output = "output"

    @Option(name: .long, help: "The format output/ was written in: yaml or json.")
    var format: TemplateFormat = .yaml

    @Flag(name: .customLong("no-color"), help: "Plain text even on a terminal.")
    var noColor = false

    func run() throws {
        let blueprint = try blueprintOptions.selected()
        let plan = try SynthesisPlan(blueprint: blueprint, environments: blueprint.environments, output: output, format: format)
        if plan.failed { throw CommandFailure.findings("error: the blueprint has errors") }
        let color = !noColor && Console.isTerminal && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        var stale: [String] = []
        for file in plan.files {
            guard let data = FileManager.default.contents(atPath: file.path) else {
                stale.append(file.path)
                Console.print("\(file.path): missing")
                continue
            }
            if data == Data(file.text.utf8) { continue }
            stale.append(file.path)
            if let template = file.template,
                let committed = try? TemplateReader.parse(String(decoding: data, as: UTF8.self), name: file.path)
            {
                let fresh = template.document.normalized
                var locations: [String: SourceLocation] = [:]
                for resource in template.resources { locations[resource.logicalID] = resource.originLocation }
                let diff = TemplateDiff(old: committed, new: fresh, locations: locations)
                if diff.isEmpty {
                    Console.print("\(file.path): differs from a fresh synth in formatting only")
                } else {
                    Console.print(
                        TextRenderer(color: color).render(
                            diff, title: "\(file.path) → \(URL(fileURLWithPath: file.path).deletingLastPathComponent().lastPathComponent) (fresh synth)"))
                }
            } else {
                Console.print("\(file.path): differs from a fresh synth")
            }
        }
        let planned = Set(plan.files.map { URL(fileURLWithPath: $0.path).standardized.path })
        for leftover in Self.generatedFiles(in: output) where !planned.contains(leftover) {
            stale.append(leftover)
            Console.print("\(leftover): not produced by the blueprint any more (remove it)")
        }
        if !stale.isEmpty {
            throw CommandFailure.findings(
                "error: \(stale.count) file\(stale.count == 1 ? "" : "s") in \(output)/ \(stale.count == 1 ? "is" : "are") stale; run `formwork synth` and commit the result"
            )
        }
        Console.print("\(output)/ matches a fresh synth of \(blueprint.name) (\(plan.files.count) files)")
    }

    /// The files synth writes that exist in `output`: templates, OpenAPI documents and buildspecs
    /// of any directory below it.
    static func generatedFiles(in output: String) -> [String] {
        let manager = FileManager.default
        let root = URL(fileURLWithPath: output).standardized
        guard let directories = try? manager.contentsOfDirectory(atPath: root.path) else { return [] }
        var files: [String] = []
        for directory in directories.sorted() {
            let url = root.appendingPathComponent(directory)
            guard let names = try? manager.contentsOfDirectory(atPath: url.path) else { continue }
            for name in names.sorted() where name.hasPrefix("template.") || name.hasPrefix("openapi") || name.hasPrefix("buildspec-") {
                files.append(url.appendingPathComponent(name).path)
            }
        }
        return files
    }
}

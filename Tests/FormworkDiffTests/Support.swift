import Blueprints
import Formwork
import FormworkCLI

import FormworkDiff
import FormworkTemplate
import Foundation

let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()

func synthesized(_ env: Environment) -> Template {
    Synthesizer(blueprint: TaskManagementBlueprint(), environment: env).synthesize().template
}

/// A template with the given resources (logical ID → resource map), normalized.
func template(_ resources: [(String, TemplateValue)]) -> TemplateValue {
    TemplateValue.map([
        TemplateEntry("AWSTemplateFormatVersion", "2010-09-09"),
        TemplateEntry("Resources", .map(resources.map { TemplateEntry($0.0, $0.1) })),
    ]).normalized
}

func resource(_ type: String, _ properties: [TemplateEntry], deletionPolicy: String? = nil) -> TemplateValue {
    var entries = [TemplateEntry("Type", .string(type))]
    if let deletionPolicy {
        entries.append(TemplateEntry("DeletionPolicy", .string(deletionPolicy)))
        entries.append(TemplateEntry("UpdateReplacePolicy", .string(deletionPolicy)))
    }
    entries.append(TemplateEntry("Properties", .map(properties)))
    return .map(entries)
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("formwork-diff-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

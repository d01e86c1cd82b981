import Blueprints
import Formwork
import FormworkTemplate
import Foundation

/// The repository's root, found from this file's path.
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url
}()

/// Synthesizes the task-management blueprint for one environment.
func synth(_ env: Environment) -> SynthesisResult {
    Synthesizer(blueprint: TaskManagementBlueprint(), environment: env).synthesize()
}

extension TemplateResource {
    /// A property reached by a path of keys (`["PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"]`).
    func value(at path: String...) -> TemplateValue? {
        guard let first = path.first, var current = property(first) else { return nil }
        for key in path.dropFirst() {
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }
}

extension TemplateValue {
    /// The elements of a list, or nothing.
    var items: [TemplateValue] {
        if case .list(let items) = self { return items }
        return []
    }

    /// A string's text, or nil.
    var text: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A string or list of strings as a list of strings.
    var strings: [String] {
        switch self {
        case .string(let text): [text]
        case .list(let items): items.compactMap(\.text)
        default: []
        }
    }
}

/// The samconfig.toml `synth` writes for `blueprint`, from its environments' templates.
func samconfigText(for blueprint: any Blueprint) -> String {
    let templates = Dictionary(
        uniqueKeysWithValues: blueprint.environments.map { ($0.name, Synthesizer(blueprint: blueprint, environment: $0).synthesize().template) })
    return SAMConfig.make(blueprint: blueprint, format: .yaml, templates: templates)
}

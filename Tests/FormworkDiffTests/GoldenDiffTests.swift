import Formwork
import FormworkDiff
import FormworkTemplate
import Foundation
import Testing

/// Golden diffs of the task-management blueprint. Regenerate with FORMWORK_UPDATE_GOLDEN=1 swift test.
@Suite("Golden diffs between environments")
struct GoldenDiffTests {
    @Test("templates in full (--raw): text, markdown, json and github", arguments: ["dev-staging", "staging-prod"])
    func golden(pair: String) throws {
        let (old, new) = try environments(pair)
        let diff = TemplateDiff(old: synthesized(old), new: synthesized(new))
        let title = "\(old.name) → \(new.name)"
        try compare(
            pair,
            [
                "txt": TextRenderer(color: false).render(diff, title: title),
                "md": MarkdownRenderer.render(diff, title: title),
                "json": JSONRenderer.render(diff, title: title),
                "github": GitHubRenderer.render(diff, title: title),
            ])
    }

    @Test("environments as configuration: text, markdown, json and github", arguments: ["dev-staging", "staging-prod", "dev-prod"])
    func configuration(pair: String) throws {
        let (old, new) = try environments(pair)
        let diff = ConfigurationDiff(old: synthesized(old), oldEnvironment: old.name, new: synthesized(new), newEnvironment: new.name)
        try compare(
            "\(pair).configuration",
            [
                "txt": ConfigurationRenderer.text(diff),
                "md": ConfigurationRenderer.markdown(diff),
                "json": ConfigurationRenderer.json(diff),
                "github": ConfigurationRenderer.github(diff),
            ])
    }

    private func environments(_ pair: String) throws -> (Environment, Environment) {
        let envs = pair.split(separator: "-").compactMap { name in Environment.standard.first { $0.name == name } }
        try #require(envs.count == 2)
        return (envs[0], envs[1])
    }

    private func compare(_ name: String, _ rendered: [String: String]) throws {
        for (ext, text) in rendered.sorted(by: { $0.key < $1.key }) {
            let url = testsDirectory.appendingPathComponent("Golden/\(name).\(ext)")
            if ProcessInfo.processInfo.environment["FORMWORK_UPDATE_GOLDEN"] == "1" {
                try Data(text.utf8).write(to: url)
            }
            let golden = try String(contentsOf: url, encoding: .utf8)
            #expect(text == golden, "Golden/\(name).\(ext) differs; regenerate with FORMWORK_UPDATE_GOLDEN=1 if the change is intended")
        }
        let json = try JSONSerialization.jsonObject(with: Data(rendered["json", default: ""].utf8)) as? [String: Any]
        #expect(json?["schemaVersion"] as? Int == 1)
    }
}

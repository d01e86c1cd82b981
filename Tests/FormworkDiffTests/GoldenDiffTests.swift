import Formwork
import FormworkDiff
import FormworkTemplate
import Foundation
import Testing

/// Golden diffs of the task-management blueprint. Regenerate with FORMWORK_UPDATE_GOLDEN=1 swift test.
@Suite("Golden diffs between environments")
struct GoldenDiffTests {
    static let pairs: [(Environment, Environment)] = [(.dev, .staging), (.staging, .prod)]

    @Test("text, markdown and json", arguments: ["dev-staging", "staging-prod"])
    func golden(pair: String) throws {
        let names = pair.split(separator: "-").map(String.init)
        let envs = names.compactMap { name in Environment.standard.first { $0.name == name } }
        let diff = TemplateDiff(old: synthesized(envs[0]), new: synthesized(envs[1]))
        let title = "\(names[0]) → \(names[1])"
        let rendered = [
            "txt": TextRenderer(color: false).render(diff, title: title),
            "md": MarkdownRenderer.render(diff, title: title),
            "json": JSONRenderer.render(diff, title: title),
        ]
        for (ext, text) in rendered.sorted(by: { $0.key < $1.key }) {
            let url = testsDirectory.appendingPathComponent("Golden/\(pair).\(ext)")
            if ProcessInfo.processInfo.environment["FORMWORK_UPDATE_GOLDEN"] == "1" {
                try Data(text.utf8).write(to: url)
            }
            let golden = try String(contentsOf: url, encoding: .utf8)
            #expect(text == golden, "Golden/\(pair).\(ext) differs; regenerate with FORMWORK_UPDATE_GOLDEN=1 if the change is intended")
        }
        let json = try JSONSerialization.jsonObject(with: Data(rendered["json", default: ""].utf8)) as? [String: Any]
        #expect(json?["schemaVersion"] as? Int == 1)
    }
}

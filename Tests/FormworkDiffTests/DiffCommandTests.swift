import FormworkTestSupport
import Foundation
import Testing

@Suite("formwork diff and formwork check")
struct DiffCommandTests {
    @Test("environment against environment: configuration by default, templates with --raw; differences exit 1, --fail-on none exits 0")
    func environments() async {
        let result = await runCLI(["diff", "dev", "prod"])
        #expect(result.status == 1)
        #expect(result.out.hasPrefix("dev → prod: configuration"))
        #expect(result.out.contains("only in prod: ApiFirewall (AWS::WAFv2::WebACL)"))
        // Separate stacks: the configuration view rates nothing, so only --fail-on any fails.
        #expect(await runCLI(["diff", "dev", "prod", "--fail-on", "replacement"]).status == 0)
        let raw = await runCLI(["diff", "dev", "prod", "--raw", "--no-color"])
        #expect(raw.status == 1)
        #expect(raw.out.hasPrefix("dev → prod\n"))
        #expect(raw.out.contains("[+] AWS::WAFv2::WebACL ApiFirewall"))
        #expect(!raw.out.contains("\u{1B}["))
        #expect(await runCLI(["diff", "dev", "prod", "--fail-on", "none"]).status == 0)
        #expect(await runCLI(["diff", "dev", "dev"]).status == 0)
        #expect(await runCLI(["diff", "dev", "dev"]).out.isEmpty)
    }

    @Test("--fail-on replacement and data-loss judge by impact")
    func failLevels() async {
        // Staging → prod replaces the tables (new physical names), losing data: both levels fail.
        #expect(await runCLI(["diff", "staging", "prod", "--raw", "--fail-on", "replacement"]).status == 1)
        #expect(await runCLI(["diff", "staging", "prod", "--raw", "--fail-on", "data-loss"]).status == 1)
    }

    @Test("a fresh synth against the committed template: no difference")
    func against() async {
        let result = await runCLI(["diff", "--env", "prod", "--against", repositoryRoot.appendingPathComponent("output/prod/template.yaml").path])
        #expect(result.status == 0, "\(result.out)\(result.err)")
        #expect(result.out.isEmpty)
    }

    @Test("two files, YAML against JSON of the same template: no difference; against another: a JSON report")
    func files() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Both into one directory: CodeUri is relative to where the template is written.
        #expect(await runCLI(["synth", "--env", "prod", "--format", "json", "--output", dir.path]).status == 0)
        #expect(await runCLI(["synth", "--env", "prod", "--output", dir.path]).status == 0)
        let yaml = dir.appendingPathComponent("prod/template.yaml").path
        let json = dir.appendingPathComponent("prod/template.json").path
        #expect(await runCLI(["diff", yaml, json]).status == 0)
        let other = repositoryRoot.appendingPathComponent("output/dev/template.yaml").path
        let report = await runCLI(["diff", other, yaml, "--format", "json"])
        #expect(report.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(report.out.utf8)) as? [String: Any]
        let summary = object?["summary"] as? [String: Int]
        #expect((summary?["added"] ?? 0) > 0)
        let markdown = await runCLI(["diff", other, yaml, "--format", "markdown"])
        #expect(markdown.out.contains("| added | removed | modified |"))
        #expect(markdown.out.contains("<details>"))
    }

    @Test(
        "bad input exits 2 with a message",
        arguments: [
            ["diff", "dev"], ["diff", "dev", "qa"], ["diff", "--against", "output/prod/template.yaml"],
            ["diff", "/nonexistent/a.yaml", "/nonexistent/b.yaml"], ["diff", "dev", "prod", "--fail-on", "sometimes"],
        ])
    func usage(arguments: [String]) async {
        let result = await runCLI(arguments)
        #expect(result.status == 2)
        #expect(!result.err.isEmpty)
    }

    @Test("a malformed or non-template file exits 2 naming the file and line")
    func malformed() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.yaml"), notTemplate = dir.appendingPathComponent("list.yaml")
        try Data("Resources:\n  A: [unclosed\n".utf8).write(to: bad)
        try Data("- just\n- a list\n".utf8).write(to: notTemplate)
        let first = await runCLI(["diff", bad.path, bad.path])
        #expect(first.status == 2)
        #expect(first.err.contains("bad.yaml:"))
        let second = await runCLI(["diff", notTemplate.path, notTemplate.path])
        #expect(second.status == 2)
        #expect(second.err.contains("not a CloudFormation template"))
    }

    @Test("check passes on a fresh output and fails, with the diff, on a stale one")
    func check() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(await runCLI(["synth", "--output", dir.path]).status == 0)
        let fresh = await runCLI(["check", "--output", dir.path])
        #expect(fresh.status == 0)
        #expect(fresh.out.contains("matches a fresh synth"))

        let prod = dir.appendingPathComponent("prod/template.yaml")
        let text = try String(contentsOf: prod, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "PointInTimeRecoveryEnabled: true", with: "PointInTimeRecoveryEnabled: false").utf8).write(to: prod)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("dev/openapi.yaml"))
        let stale = await runCLI(["check", "--output", dir.path, "--no-color"])
        #expect(stale.status == 1)
        #expect(stale.out.contains("Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: false → true"))
        #expect(stale.out.contains("dev/openapi.yaml: missing"))
        #expect(stale.err.contains("2 files in"))

        try Data((text + "\n").utf8).write(to: prod)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("dev"))
        #expect(await runCLI(["synth", "--env", "dev", "--output", dir.path]).status == 0)
        let formatting = await runCLI(["check", "--output", dir.path])
        #expect(formatting.status == 1)
        #expect(formatting.out.contains("formatting only"))
    }
}

@Suite("formwork check: leftovers")
struct CheckLeftoverTests {
    @Test("a template of an environment the blueprint no longer has is stale")
    func leftover() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(await runCLI(["synth", "--output", dir.path]).status == 0)
        let qa = dir.appendingPathComponent("qa")
        try FileManager.default.createDirectory(at: qa, withIntermediateDirectories: true)
        try Data("Resources: {}\n".utf8).write(to: qa.appendingPathComponent("template.yaml"))
        let result = await runCLI(["check", "--output", dir.path])
        #expect(result.status == 1)
        #expect(result.out.contains("qa/template.yaml: not produced by the blueprint any more"))
    }
}

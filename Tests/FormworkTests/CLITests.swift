import Blueprints
import Formwork
import FormworkTestSupport
import Foundation
import Testing

/// A blueprint with an error in dev only, for exit-status tests.
struct BrokenBlueprint: Blueprint {
    var name: String { "Broken" }
    func architecture(for env: Environment) -> Architecture {
        Architecture("Broken") {
            Table("Orders", partitionKey: .string("id")).named(env.name == "dev" ? "x" : "orders-\(env.name)")
        }
    }
}

@Suite("The formwork command line")
struct CLITests {
    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("formwork-cli-\(UUID().uuidString)")
    }

    @Test("synth writes the template, OpenAPI document and samconfig, and exits 0")
    func synthWrites() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = await runCLI(["synth", "--env", "dev", "--output", dir.path])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("wrote \(dir.path)/dev/template.yaml"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("dev/openapi.yaml").path))
        let samconfig = try String(contentsOf: dir.appendingPathComponent("samconfig.toml"), encoding: .utf8)
        for env in ["dev", "staging", "prod"] { #expect(samconfig.contains("[\(env).deploy.parameters]")) }
        #expect(samconfig.contains("confirm_changeset = true"))
    }

    @Test("a blueprint with errors exits 1, prints file:line:column diagnostics and writes nothing")
    func errorsExitOne() async {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = await runCLI(["synth", "--output", dir.path], blueprints: [BrokenBlueprint()])
        #expect(result.status == 1)
        #expect(result.err.contains("Tests/FormworkTests/CLITests.swift:"))
        #expect(result.err.contains("error: table name 'x' must be 3 to 255 characters long [dev]"))
        #expect(result.err.contains("nothing was written"))
        #expect(!FileManager.default.fileExists(atPath: dir.path))
        #expect(await runCLI(["validate"], blueprints: [BrokenBlueprint()]).status == 1)
        #expect(await runCLI(["validate", "--env", "prod"], blueprints: [BrokenBlueprint()]).status == 0)
    }

    @Test(
        "usage errors exit 2 with a message on standard error",
        arguments: [
            ["synth", "--env", "qa"], ["synth", "--format", "xml"], ["synth", "--env", "dev", "--all"],
            ["frobnicate"], ["list", "--blueprint", "Nope"], ["graph", "--format", "png"],
        ])
    func usageErrors(arguments: [String]) async {
        let result = await runCLI(arguments)
        #expect(result.status == 2)
        #expect(!result.err.isEmpty)
        #expect(result.out.isEmpty)
    }

    @Test("--help exits 0 and describes the commands")
    func help() async {
        let result = await runCLI(["--help"])
        #expect(result.status == 0)
        for command in ["synth", "validate", "list", "graph"] { #expect(result.out.contains(command)) }
        let synthHelp = await runCLI(["synth", "--help"])
        #expect(synthHelp.out.contains("--format"))
    }

    @Test("list shows logical IDs, types and where each was declared")
    func list() async {
        let result = await runCLI(["list", "--env", "prod"])
        #expect(result.status == 0)
        let row = result.out.split(separator: "\n").first { $0.hasPrefix("ApiFirewall ") }
        #expect(row?.contains("AWS::WAFv2::WebACL") == true)
        #expect(row?.contains("blueprints/TaskManagement.swift:") == true)
        let dev = await runCLI(["list", "--env", "dev"])
        #expect(dev.out.contains("ApiFirewall ") == false)
    }

    @Test("graph draws every resource and its references")
    func graph() async {
        let mermaid = await runCLI(["graph"]).out
        #expect(mermaid.hasPrefix("flowchart LR"))
        #expect(mermaid.contains("Api -->|authorizer| UserPool"))
        #expect(mermaid.contains("DeadlineReminders -->|schedule target| NotificationFunction"))
        #expect(mermaid.contains("TaskManagementFunction -->|readWrite, env| TasksTable"))
        let dot = await runCLI(["graph", "--format", "dot", "--env", "dev"]).out
        #expect(dot.contains("\"TaskManagementFunction\" -> \"TasksTable\""))
        #expect(!dot.contains("ApiFirewall"))
    }
}

@Suite("CodeUri follows the output directory")
struct CodeUriTests {
    @Test("synth into another directory points CodeUri back at the package")
    func elsewhere() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("formwork-code-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(await runCLI(["synth", "--env", "dev", "--output", dir.path]).status == 0)
        let text = try String(contentsOf: dir.appendingPathComponent("dev/template.yaml"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.contains("CodeUri:") })
        let path = String(line.split(separator: " ").last ?? "")
        let resolved = URL(fileURLWithPath: dir.path + "/dev/" + path).standardized.path
        #expect(resolved.hasPrefix(FileManager.default.currentDirectoryPath + "/.build/lambda/"), "\(path) → \(resolved)")
        let committed = try String(contentsOf: repositoryRoot.appendingPathComponent("output/dev/template.yaml"), encoding: .utf8)
        #expect(committed.contains("CodeUri: ../../.build/lambda/"))
    }
}

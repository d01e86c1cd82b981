import Formwork
import FormworkTestSupport
import Foundation
import Testing

/// Two resources under one logical ID, in every environment.
struct DuplicateIDBlueprint: Blueprint {
    var name: String { "Duplicates" }
    func architecture(for env: Environment) -> Architecture {
        Architecture("Duplicates") {
            Table("Products", partitionKey: .string("id"))
            Table("Products", partitionKey: .string("sku"))
        }
    }
}

/// Routes `""` and `"/"`, which API Gateway treats as one.
struct CollidingRoutesBlueprint: Blueprint {
    var name: String { "Routes" }
    func architecture(for env: Environment) -> Architecture {
        let function = Function("Items", handler: RequestOnly.self)
        return Architecture("Routes") {
            function
            RestAPI("Api", stage: env.name, authorizer: nil) {
                Route(.get, "", to: function, access: .public)
                Route(.get, "/", to: function, access: .public)
            }
        }
    }
}

@Suite("Diagnostics before anything is rendered")
struct DiagnosticsFirstTests {
    @Test(
        "duplicate logical IDs: every command reports the line, once for all environments, and renders nothing",
        arguments: [
            ["validate"], ["synth", "--output", "/nonexistent/formwork-never-written"], ["graph"], ["list"], ["check", "--output", "/nonexistent/o"],
        ])
    func duplicateIDs(arguments: [String]) async {
        let result = await runCLI(arguments, blueprints: [DuplicateIDBlueprint()])
        #expect(result.status == 1, "\(arguments): \(result.err)")
        #expect(result.err.contains("DiagnosticsFirstTests.swift:"), "\(arguments): \(result.err)")
        #expect(result.err.contains("duplicate logical ID 'Products'"), "\(arguments): \(result.err)")
        #expect(!result.err.contains("cannot be rendered") && !result.err.contains("duplicate mapping key"), "\(arguments): \(result.err)")
        if arguments[0] != "graph" && arguments[0] != "list" {
            // One environment-independent mistake, printed once with every environment it occurs in.
            let lines = result.err.split(separator: "\n").filter { $0.contains("error: duplicate logical ID 'Products'") }
            #expect(lines.count == 1, "\(arguments): \(result.err)")
            #expect(lines.first?.hasSuffix("[dev, staging, prod]") == true, "\(arguments): \(result.err)")
        }
    }

    @Test(
        "routes that collide are a diagnostic at their line, not a rendering error",
        arguments: [["validate"], ["synth", "--output", "/nonexistent/x"], ["graph"]])
    func collidingRoutes(arguments: [String]) async {
        let result = await runCLI(arguments, blueprints: [CollidingRoutesBlueprint()])
        #expect(result.status == 1, "\(arguments): \(result.out)\(result.err)")
        #expect(result.err.contains("DiagnosticsFirstTests.swift:"), "\(arguments): \(result.err)")
        #expect(!result.err.contains("cannot be rendered") && !result.err.contains("could not render"), "\(arguments): \(result.err)")
    }

    @Test("help and messages use the executable's own name")
    func commandName() async {
        let result = await runCLI(["--help"], blueprints: [DuplicateIDBlueprint()], commandName: "inventory")
        #expect(result.status == 0)
        #expect(result.out.contains("USAGE: inventory"))
        #expect(!result.out.contains("USAGE: formwork"))
        #expect(await runCLI(["--help"]).out.contains("USAGE: formwork"))
    }
}

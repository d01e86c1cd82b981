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

/// One blueprint with each mistake the grants, index and naming rules catch, each on a line of
/// its own, marked `// ← <rule>`.
struct BrokenInventoryBlueprint: Blueprint {
    var name: String { "BrokenInventory" }
    func architecture(for env: Environment) -> Architecture {
        let products = Table("Products", partitionKey: .string("sku"))
            .index("ByCategory", partitionKey: .string(""))  // ← empty key name
        let images = Bucket("Images")
            .lifecycle(.expireObjects(after: .hours(12)))  // ← rounding duration
        let function = Function("Catalogue", handler: RequestOnly.self)
            .environment("IMAGES_BUCKET", images)  // ← ungranted reference
            .grants(.query(products.index("ByCategoy")))  // ← unknown index
        return Architecture("Inventory") {
            products
            images
            function
        }
    }
}

@Suite("Diagnostics before anything is rendered")
struct DiagnosticsFirstTests {
    /// The line of this file marked `// ← rule`.
    static func line(marked rule: String) throws -> Int {
        let source = try String(contentsOfFile: #filePath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        return try #require(source.firstIndex { $0.hasSuffix("// ← \(rule)") }) + 1
    }

    @Test(
        "each new rule is reported at its line by validate, synth and graph, and nothing is written",
        arguments: [["validate"], ["synth", "--output", "/nonexistent/formwork-never-written"], ["graph"]])
    func newRulesAtTheirLines(arguments: [String]) async throws {
        let result = await runCLI(arguments, blueprints: [BrokenInventoryBlueprint()])
        #expect(result.status == 1, "\(arguments): \(result.err)")
        let expected: [(rule: String, severity: String, says: String)] = [
            ("empty key name", "error", "the partition key of index 'ByCategory' of table 'Products' needs a name"),
            ("rounding duration", "error", "12 hours is less than a day, and lifecycle rules count whole days"),
            ("ungranted reference", "warning", "environment variable IMAGES_BUCKET names bucket 'Images', but the function has no grant on it"),
            ("unknown index", "error", "table 'Products' has no index 'ByCategoy' (it declares ByCategory)"),
        ]
        for (rule, severity, says) in expected {
            let line = try Self.line(marked: rule)
            let printed = result.err.split(separator: "\n").filter { $0.contains(says) }
            #expect(printed.count == 1, "\(arguments) \(rule): \(result.err)")
            #expect(printed.first?.contains("DiagnosticsFirstTests.swift:\(line):") == true, "\(arguments) \(rule): \(printed)")
            #expect(printed.first?.contains(": \(severity): ") == true, "\(arguments) \(rule): \(printed)")
        }
        #expect(!result.out.contains("flowchart"), "graph draws nothing from a blueprint with errors")
    }

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

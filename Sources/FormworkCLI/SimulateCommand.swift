import ArgumentParser
import Formwork
import FormworkSimulator
import Foundation

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run an environment of the blueprint locally, in this process, on one port.",
        discussion: """
            Serves the DynamoDB API (JSON 1.0) for the blueprint's tables, so the AWS CLI and SDKs work
            with --endpoint-url http://HOST:PORT. Any credentials are accepted. State is kept in SQLite
            under --state (default .formwork/<env>/) unless --in-memory is given.
            """)

    @OptionGroup var blueprintOptions: BlueprintOptions

    @Option(name: .long, help: "The environment to simulate (default: the blueprint's first).")
    var env: String?

    @Option(name: .long, help: "The port (0 picks a free one).")
    var port = 4566

    @Option(name: .long, help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "The state directory (default .formwork/<env>).")
    var state: String?

    @Flag(name: .customLong("in-memory"), help: "Keep no state on disk.")
    var inMemory = false

    func validate() throws {
        if inMemory && state != nil { throw ValidationError("--state and --in-memory exclude each other") }
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
    }

    func run() async throws {
        let blueprint = try blueprintOptions.selected()
        guard let environment = try blueprintOptions.environments(of: blueprint, named: env).first else { return }
        let architecture = blueprint.architecture(for: environment)
        let diagnostics = architecture.validate()
        if report(diagnostics.filter { $0.severity == .error }, environment: environment) {
            throw CommandFailure.findings("error: the blueprint has errors")
        }
        let directory = state ?? ".formwork/\(environment.name)"
        let simulator: Simulator
        do {
            simulator = try Simulator(
                architecture: architecture, environment: environment,
                state: inMemory ? .inMemory : .directory(directory), region: blueprint.region)
        } catch {
            throw CommandFailure.usage("error: cannot open the simulator's state in \(directory): \(error)")
        }
        let tables = simulator.tables.schemas.map(\.name).joined(separator: ", ")
        let where_ = inMemory ? "in memory" : "state in \(directory)"
        let host = self.host
        try await simulator.run(host: host, port: port) { bound in
            Console.print("formwork simulate: \(blueprint.name) \(environment.name) listening on http://\(host):\(bound) (\(where_))")
            Console.print("  DynamoDB: aws dynamodb list-tables --endpoint-url http://\(host):\(bound)   tables: \(tables)")
        }
    }
}

import ArgumentParser
import Formwork
import FormworkRuntime
import FormworkSimulator
import Foundation
import ZIPFoundation

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run an environment of the blueprint locally, in this process, on one port.",
        discussion: """
            Serves, on one port, the blueprint's environment: DynamoDB (JSON 1.0) for its tables and Cognito
            Identity Provider (JSON 1.1) for its user pools, so the AWS CLI and SDKs work with --endpoint-url
            http://HOST:PORT; the pools' JWKS and OpenID documents; each REST API with API Gateway's rules
            (routing, the Cognito authorizer, validation, throttling, CORS), running the functions' Swift
            handlers in process with their grants enforced; the site behind the distribution with its
            /config.json; a console for people at /_formwork/ (architecture, endpoints, users, table items,
            the outbox and function logs live, schedules, the clock); and the control API beside it
            (health, endpoints, resources, architecture, clock, outbox, logs, with server-sent events for
            the outbox and the logs). Admin operations accept any SigV4-signed request, except that
            under --functions process a request signed with a function's credentials may do only what
            the function's grants allow. State is kept in SQLite under --state
            (default .formwork/<env>/) unless --in-memory is given.
            """)

    enum ClockMode: String, ExpressibleByArgument, CaseIterable {
        case real, virtual
    }

    enum FunctionsMode: String, ExpressibleByArgument, CaseIterable {
        case inProcess = "in-process"
        case process
    }

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

    @Option(name: .long, help: "real (the default): the wall clock, which POST /_formwork/clock can shift; virtual: time stands still until moved.")
    var clock: ClockMode = .real

    @Option(name: .long, help: "Where a virtual clock starts (RFC 3339, default now), e.g. 2026-12-01T09:00:00Z.")
    var start: String?

    @Option(name: .long, help: "A YAML or JSON list of {email, password, groups} to create as confirmed users (idempotent).")
    var users: String?

    @Flag(name: .long, help: "Turn the APIs' stage throttling off (for load tests; the model's limits apply otherwise).")
    var unthrottled = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Deliver an HTTP/S subscription of the blueprint to a local URL instead: MODEL_URL=LOCAL_URL (repeatable).",
            discussion: "Loopback endpoints are delivered to as they are; other endpoints stay outside, and their notifications go to the outbox."))
    var webhook: [String] = []

    @Option(name: .long, help: "Relay the outbox's e-mail to an SMTP server, such as a local Mailpit: HOST:PORT.")
    var smtp: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "in-process (the default): the handlers run in this process; process: each function runs as child processes speaking the Lambda Runtime API.",
            discussion:
                "The processes run the blueprint's functions executable built beside this one (swift build --product <functionsExecutable>), or --bootstrap."))
    var functions: FunctionsMode = .inProcess

    @Option(name: .long, help: "With --functions process: the executable to run, or a Lambda zip holding `bootstrap` (formwork package).")
    var bootstrap: String?

    func validate() throws {
        if inMemory && state != nil { throw ValidationError("--state and --in-memory exclude each other") }
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
        if start != nil && clock != .virtual { throw ValidationError("--start needs --clock virtual") }
        if let smtp, SMTPRelay(smtp) == nil { throw ValidationError("--smtp must be HOST:PORT, not '\(smtp)'") }
        for route in webhook where Self.webhookRoute(route) == nil {
            throw ValidationError("--webhook must be MODEL_URL=LOCAL_URL with a local http:// or https:// URL, not '\(route)'")
        }
        if bootstrap != nil && functions != .process { throw ValidationError("--bootstrap needs --functions process") }
        if let start, JSONCoding.parseDate(start) == nil {
            throw ValidationError("--start must be an RFC 3339 time such as 2026-12-01T09:00:00Z, not '\(start)'")
        }
    }

    func run() async throws {
        let blueprint = try blueprintOptions.selected()
        guard let environment = try blueprintOptions.environments(of: blueprint, named: env).first else { return }
        let architecture = blueprint.architecture(for: environment)
        if report(architecture.validate().filter { $0.severity == .error }, environment: environment) {
            throw CommandFailure.findings("error: the blueprint has errors")
        }
        let seeds: [SeedUsersFile.Entry]
        do {
            seeds = try users.map(SeedUsersFile.load) ?? []
        } catch {
            throw CommandFailure.usage("\(error)")
        }
        let functionsExecutable = try functions == .process ? Self.functionsExecutable(bootstrap, blueprint: blueprint) : nil
        let directory = state ?? ".formwork/\(environment.name)"
        let simulatorClock: SimulatorClock =
            switch clock {
            case .real: .real()
            case .virtual: .virtual(start: start.flatMap(JSONCoding.parseDate) ?? Clock.system.now())
            }
        let simulator: Simulator
        do {
            simulator = try Simulator(
                architecture: architecture, environment: environment,
                options: .init(
                    state: inMemory ? .inMemory : .directory(directory), region: blueprint.region, clock: simulatorClock,
                    throttling: !unthrottled, webhookRoutes: webhookRoutes, smtpRelay: smtp.flatMap(SMTPRelay.init),
                    functionsExecutable: functionsExecutable))
        } catch {
            throw CommandFailure.usage("error: cannot open the simulator's state in \(directory): \(error)")
        }
        for notice in simulator.notices { Console.error("warning: \(notice) (\(directory))") }
        try seed(seeds, into: simulator)
        let where_ = inMemory ? "in memory" : "state in \(directory)"
        let host = self.host
        // A bootstrap taken out of a zip lives only as long as this run.
        defer {
            if bootstrap?.hasSuffix(".zip") == true, let extracted = functionsExecutable {
                try? FileManager.default.removeItem(at: extracted.deletingLastPathComponent())
            }
        }
        try await simulator.run(host: host, port: port) { _ in
            Console.print(
                "formwork simulate: \(blueprint.name) \(environment.name) listening on \(simulator.endpoint) (\(where_), \(simulatorClock.mode.rawValue) clock)"
            )
            Console.print(Self.summary(of: simulator))
        }
    }

    /// The executable the functions' processes run: `--bootstrap` (an executable, or a zip whose
    /// `bootstrap` is taken out), or the blueprint's functions executable beside this one.
    static func functionsExecutable(_ bootstrap: String?, blueprint: any Blueprint) throws -> URL {
        let beside = Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent(blueprint.functionsExecutable)
        guard let path = bootstrap ?? beside?.path else { throw CommandFailure.usage("error: give the functions' executable with --bootstrap") }
        guard FileManager.default.isExecutableFile(atPath: path) || path.hasSuffix(".zip") && FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure.usage(
                bootstrap == nil
                    ? "error: --functions process runs \(path), which is not built; run `swift build --product \(blueprint.functionsExecutable)`, or give --bootstrap"
                    : "error: --bootstrap \(path) is neither an executable nor a zip")
        }
        guard path.hasSuffix(".zip") else { return URL(fileURLWithPath: path) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("formwork-bootstrap-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
            guard let entry = archive["bootstrap"] else { throw CommandFailure.usage("error: \(path) holds no `bootstrap`") }
            let executable = folder.appendingPathComponent("bootstrap")
            _ = try archive.extract(entry, to: executable)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: executable.path)
            return executable
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.usage("error: cannot take bootstrap out of \(path): \(error)")
        }
    }

    private var webhookRoutes: [String: String] {
        Dictionary(webhook.compactMap(Self.webhookRoute), uniquingKeysWith: { _, last in last })
    }

    /// `MODEL_URL=LOCAL_URL`, split before the local URL (the model's URL may hold `=`).
    static func webhookRoute(_ text: String) -> (String, String)? {
        guard let split = text.range(of: "=http://", options: .backwards) ?? text.range(of: "=https://", options: .backwards) else { return nil }
        let model = String(text[..<split.lowerBound])
        let local = String(text[text.index(after: split.lowerBound)...])
        guard !model.isEmpty, let url = URL(string: local), url.host != nil else { return nil }
        return (model, local)
    }

    private func seed(_ entries: [SeedUsersFile.Entry], into simulator: Simulator) throws {
        var problems: [String] = []
        for entry in entries {
            let pools = simulator.identity.userPools
            guard let pool = entry.pool.map({ name in pools.first { $0.logicalId == name } }) ?? pools.first else {
                problems.append("\(entry.location): error: " + (entry.pool.map { "no user pool '\($0)' in the blueprint" } ?? "the blueprint has no user pool"))
                continue
            }
            do {
                try simulator.identity.seed(poolId: pool.poolId, email: entry.email, password: entry.password, groups: entry.groups)
            } catch let error as DirectoryError {
                problems.append("\(entry.location): error: user \(entry.email): \(error.message)")
            }
        }
        if !problems.isEmpty { throw CommandFailure.usage(problems.joined(separator: "\n")) }
    }

    /// What runs and where: the endpoints, then each resource with its local name and ARN.
    static func summary(of simulator: Simulator) -> String {
        let endpoint = simulator.endpoint
        var lines = ["", "  endpoints"]
        lines.append("    DynamoDB       aws dynamodb list-tables --endpoint-url \(endpoint)")
        for pool in simulator.identity.userPools {
            lines.append("    Cognito        aws cognito-idp describe-user-pool --user-pool-id \(pool.poolId) --endpoint-url \(endpoint)")
            lines.append("                   client \(pool.clientId), JWKS \(endpoint)/\(pool.poolId)/.well-known/jwks.json")
        }
        for gateway in simulator.gateways {
            lines.append("    API            \(gateway.url)")
        }
        if !simulator.architecture.resources(of: Topic.self).isEmpty {
            lines.append("    SNS            aws sns list-topics --endpoint-url \(endpoint)")
        }
        lines.append("    SES            aws ses send-email --endpoint-url \(endpoint) ...  (mail lands in the outbox: formwork outbox)")
        if simulator.site != nil {
            lines.append("    site           \(endpoint)/  (config: \(endpoint)/config.json)")
        }
        lines.append("    console        \(endpoint)/_formwork/")
        lines.append(
            "    control        \(endpoint)/_formwork/endpoints  /resources  /clock  /schedules  /outbox  /failures  /logs/{function}  /architecture  /health")
        lines.append("")
        lines.append("  resources")
        let entries = simulator.naming.entries(of: simulator.architecture, endpoint: endpoint)
        let idWidth = entries.map(\.logicalId.count).max() ?? 0
        let kindWidth = entries.map(\.kind.count).max() ?? 0
        for entry in entries {
            let id = entry.logicalId.padding(toLength: idWidth, withPad: " ", startingAt: 0)
            let kind = entry.kind.padding(toLength: kindWidth, withPad: " ", startingAt: 0)
            lines.append("    \(id)  \(kind)  \(entry.arn ?? entry.name)")
        }
        return lines.joined(separator: "\n")
    }
}

import Formwork
import FormworkRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// One environment of a blueprint, simulated in this process on one port: a host of services
/// built from the model, sharing one state database, one clock and one outbox. Never built
/// from the generated template.
///
/// ```swift
/// let simulator = try Simulator(architecture: blueprint.architecture(for: .dev), environment: .dev)
/// try await simulator.run(host: "127.0.0.1", port: 4566) { port in print("listening on \(port)") }
/// ```
public final class Simulator: Sendable {
    /// Where the simulator keeps its state.
    public enum State: Sendable {
        /// Nothing survives the process.
        case inMemory
        /// A SQLite database in this directory (`state.sqlite`), created if missing.
        case directory(String)
    }

    /// How the simulator is set up.
    public struct Options: Sendable {
        /// Where state lives.
        public var state: State
        /// The region named in ARNs, ids and endpoints.
        public var region: String
        /// The clock: real (the default) or virtual.
        public var clock: SimulatorClock
        /// Where the model's relative paths (a bucket's site folder) start: the package root.
        public var root: URL
        /// Whether the APIs enforce the model's stage throttling (off for load tests).
        public var throttling: Bool
        /// How long the APIs wait for a function: API Gateway's 29 seconds unless a test shortens it.
        public var integrationTimeout: Duration
        /// Local URLs that HTTP/S subscription endpoints of the model are delivered to instead
        /// (`https://hooks.example.com/x` → `http://127.0.0.1:9000/x`). Loopback endpoints are
        /// delivered to as they are; any other stays outside and goes to the outbox.
        public var webhookRoutes: [String: String]
        /// An SMTP server that the outbox's e-mail is relayed to while the simulator runs.
        public var smtpRelay: SMTPRelay?
        /// How the functions run: in this process (the default), or each as child processes of
        /// this executable (the packaged `bootstrap` or the built one) speaking the Lambda
        /// Runtime API.
        public var functionsExecutable: URL?

        /// Options; in memory, `us-east-1`, the real clock and the current directory by default.
        public init(
            state: State = .inMemory, region: String = "us-east-1", clock: SimulatorClock = .real(),
            root: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath), throttling: Bool = true,
            integrationTimeout: Duration = .seconds(29), webhookRoutes: [String: String] = [:], smtpRelay: SMTPRelay? = nil,
            functionsExecutable: URL? = nil
        ) {
            self.functionsExecutable = functionsExecutable
            self.smtpRelay = smtpRelay
            self.webhookRoutes = webhookRoutes
            self.throttling = throttling
            self.integrationTimeout = integrationTimeout
            self.state = state
            self.region = region
            self.clock = clock
            self.root = root
        }
    }

    /// The architecture simulated.
    public let architecture: Architecture
    /// The environment simulated.
    public let environment: Formwork.Environment
    /// Local names, ARNs and ids of the resources.
    public let naming: LocalResources
    /// The one clock.
    public let clock: SimulatorClock
    /// What the services sent out.
    public let outbox: Outbox
    /// The simulated DynamoDB tables.
    public let tables: TableService
    /// The simulated Cognito user pools.
    public let identity: IdentityService
    /// SNS topics and SES e-mail.
    public let messaging: MessagingService
    /// EventBridge rules and Scheduler schedules.
    public let scheduler: SchedulerService
    /// Lambda's queue of asynchronous invocations.
    public let invocations: AsyncInvocations
    /// Failed asynchronous deliveries and dead letters.
    public let failures: DeliveryFailures
    /// The functions, run in process.
    public let functions: FunctionHost
    /// One API Gateway per REST API of the model.
    public let gateways: [Gateway]
    /// The distribution and its site, when the model has one with site content.
    public let site: SiteService?
    /// Stored state that the model no longer describes, kept and reported, never deleted.
    public let notices: [String]

    let database: StateDatabase
    let webhooks: Webhooks
    let smtpRelay: SMTPRelay?
    /// The outbox's last message when the simulator was built: the relay sends what follows.
    let relayStart: Int64
    /// Every service, in the order requests are offered to them.
    let services: [any SimulatedService]
    /// The AWS JSON protocols the services answer at `POST /`, by target prefix.
    let wireProtocols: [any JSONProtocolService]
    private let boundEndpoint: NIOLockedValueBox<String>
    let due = DueWork()

    /// Every service's migrations, in the order they are applied.
    static let migrations =
        TableStore.migrations + Outbox.migrations + IdentityService.migrations + FunctionLogs.migrations + DeliveryFailures.migrations
        + Webhooks.migrations

    /// Builds the services of `architecture`.
    ///
    /// - Throws: when the state database cannot be opened, or when stored state cannot follow
    ///   the model (a table's key schema changed under stored items).
    public init(architecture: Architecture, environment: Formwork.Environment, options: Options = Options()) throws {
        database =
            switch options.state {
            case .inMemory: try .inMemory(migrations: Self.migrations)
            case .directory(let path): try .file(URL(fileURLWithPath: path).appendingPathComponent("state.sqlite").path, migrations: Self.migrations)
            }
        self.architecture = architecture
        self.environment = environment
        smtpRelay = options.smtpRelay
        clock = options.clock
        naming = LocalResources(architecture: architecture, environment: environment, region: options.region)
        let endpoint = NIOLockedValueBox("http://127.0.0.1:4566")
        boundEndpoint = endpoint
        outbox = Outbox(database: database)
        relayStart = (try? outbox.lastSequence()) ?? 0
        let store = TableStore(database: database)
        tables = try TableService(architecture: architecture, store: store, region: options.region)
        let currentEndpoint: @Sendable () -> String = { endpoint.withLockedValue { $0 } }
        let identity = IdentityService(
            architecture: architecture, naming: naming, database: database, clock: clock, outbox: outbox, endpoint: currentEndpoint)
        self.identity = identity
        let wakeTarget = NIOLockedValueBox(WeakSimulator())
        let wakePending = NIOLockedValueBox(false)
        // Coalesced: one run is queued at a time, and the flag drops when that run starts.
        let wake: @Sendable () -> Void = {
            guard let simulator = wakeTarget.withLockedValue({ $0.simulator }),
                wakePending.withLockedValue({ pending in
                    defer { pending = true }
                    return !pending
                })
            else { return }
            Task {
                await simulator.due.run {
                    wakePending.withLockedValue { $0 = false }
                    await simulator.runAllDue(at: simulator.clock.now())
                }
            }
        }
        failures = DeliveryFailures(database: database)
        let invocations = AsyncInvocations(naming: naming, failures: failures, wake: wake)
        self.invocations = invocations
        let webhooks = Webhooks(
            database: database, outbox: outbox, failures: failures, clock: clock, routes: options.webhookRoutes, endpoint: currentEndpoint,
            wake: wake)
        self.webhooks = webhooks
        let messaging = MessagingService(
            architecture: architecture, naming: naming, outbox: outbox, clock: clock, invocations: invocations, webhooks: webhooks,
            endpoint: currentEndpoint)
        self.messaging = messaging
        let parameters = ParameterService(architecture: architecture, naming: naming)
        let functions = FunctionHost(
            architecture: architecture, naming: naming, tables: tables, identity: identity, messaging: messaging,
            parameters: parameters, logs: FunctionLogs(database: database), clock: clock,
            endpoint: currentEndpoint, processExecutable: options.functionsExecutable)
        self.functions = functions
        invocations.attach(functions)
        scheduler = SchedulerService(architecture: architecture, naming: naming, invocations: invocations, clock: clock)
        let naming = self.naming, clock = self.clock
        gateways = architecture.resources(of: RestAPI.self).map {
            Gateway(
                api: $0, architecture: architecture, naming: naming, functions: functions, identity: identity, clock: clock,
                throttling: options.throttling, integrationTimeout: options.integrationTimeout, endpoint: currentEndpoint)
        }
        let configuration = NIOLockedValueBox<@Sendable () -> [String: String]>({ [:] })
        site = SiteService.make(architecture: architecture, root: options.root) { configuration.withLockedValue { $0 }() }
        services = [tables, identity, parameters, scheduler, messaging, invocations] + gateways + [site].compactMap { $0 }
        wireProtocols = services.flatMap(\.jsonProtocols)
        notices =
            try store.orphanedTables(tables.schemas).map {
                "the state holds \($0.items) item(s) of table '\($0.table)', which the blueprint no longer declares; they are kept"
            }
            + identity.orphanedPools(in: database).map {
                "the state holds \($0.users) user(s) of user pool '\($0.poolId)', which the blueprint no longer declares; they are kept"
            }
        configuration.withLockedValue { $0 = { [weak self] in self?.webConfiguration ?? [:] } }
        wakeTarget.withLockedValue { $0.simulator = self }
    }

    /// Where the simulator listens (`http://host:port`), once ``run(host:port:onReady:)`` bound it.
    public var endpoint: String { boundEndpoint.withLockedValue { $0 } }

    /// The discovery document of `GET /_formwork/endpoints`.
    public var endpoints: [String: String] {
        var answer = ["region": naming.region, "cognitoEndpoint": endpoint, "dynamoDBEndpoint": endpoint, "endpoint": endpoint]
        if let pool = identity.userPools.first {
            answer["userPoolId"] = pool.poolId
            answer["userPoolClientId"] = pool.clientId
        }
        answer["apiUrl"] = gateways.first?.url
        if site != nil { answer["siteUrl"] = endpoint }
        return answer
    }

    /// The site's `/config.json`: what the web app needs to sign in and call the API.
    public var webConfiguration: [String: String] {
        endpoints.filter { ["region", "userPoolId", "userPoolClientId", "cognitoEndpoint", "apiUrl", "siteUrl"].contains($0.key) }
    }

    /// Runs whatever fell due by the clock's time (expired items, schedules, queued
    /// deliveries), once, in order, until nothing more is due; concurrent callers wait for the
    /// run in progress.
    public func runDue() async {
        await due.run { [self] in await runAllDue(at: clock.now()) }
    }

    func runAllDue(at now: Date) async {
        for _ in 0..<Self.maximumRounds {
            for service in services { await service.runDue(at: now) }
            guard let next = nextDue, next <= now else { return }
        }
    }

    /// The earliest time any service has work.
    private var nextDue: Date? { services.compactMap(\.nextDue).min() }

    /// A bound on rounds of due work at one time (work that keeps causing more work).
    static let maximumRounds = 1000

    /// The most scheduled fires one clock move may cause.
    public static let maximumFiresPerMove = 10_000

    /// Why a clock move is refused.
    public struct ClockMoveRefused: Error, CustomStringConvertible {
        public var description: String
    }

    /// Moves the clock by `interval` and returns after everything that fell due has run.
    /// Moves made at once follow each other: two advances of an hour move it two hours.
    public func advanceClock(by interval: TimeInterval) async throws {
        try await moveClock { $0.addingTimeInterval(interval) }
    }

    /// Sets the clock to `date` and returns after everything that fell due has run.
    public func setClock(to date: Date) async throws {
        try await moveClock { _ in date }
    }

    /// Moves the clock to `target` as if time passed: it stops at each time a service has work
    /// (a schedule fires, a retry falls due), runs that work with the clock reading that time,
    /// and goes on. Moving back in time runs nothing.
    ///
    /// - Throws: ``ClockMoveRefused`` when the move would fire more than
    ///   ``maximumFiresPerMove`` scheduled invocations.
    public func moveClock(to target: Date) async throws {
        try await moveClock { _ in target }
    }

    private func moveClock(to target: @escaping @Sendable (Date) -> Date) async throws {
        let refusal = NIOLockedValueBox<ClockMoveRefused?>(nil)
        await due.run { [self] in
            let target = target(clock.now())
            let fires = scheduler.fires(through: target, limit: Self.maximumFiresPerMove)
            guard fires <= Self.maximumFiresPerMove else {
                refusal.withLockedValue {
                    $0 = ClockMoveRefused(
                        description:
                            "Moving the clock to \(JSONCoding.formatDate(target)) would fire more than \(Self.maximumFiresPerMove) scheduled invocations; move it in smaller steps, or disable the schedule."
                    )
                }
                return
            }
            while let next = nextDue, next <= target {
                if next > clock.now() { clock.set(to: next) }
                await runAllDue(at: clock.now())
            }
            clock.set(to: target)
            await runAllDue(at: target)
        }
        if let refusal = refusal.withLockedValue({ $0 }) { throw refusal }
    }

    /// The router of every service and the control API, for ``run(host:port:onReady:)`` and tests.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        if functions.processes != nil {
            router.add(middleware: FunctionCallAuthorization(credentials: functions.credentials))
        }
        router.post("/") { [self] request, _ -> Response in
            let target = request.headers[HeaderNames.target] ?? ""
            if target.isEmpty, request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
                let body = try await request.body.collect(upTo: 2 * 1024 * 1024)
                let parameters = QueryProtocol.parameters(String(buffer: body))
                if let answer = messaging.answerQuery(parameters, service: QueryProtocol.signingService(request.headers[.authorization])) {
                    return answer
                }
                return QueryProtocol.error(
                    service: .sns, code: "InvalidAction", message: "The action \(parameters["Action"] ?? "(none)") is not valid for this endpoint.",
                    status: 400)
            }
            let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
            let signed = request.headers[.authorization]?.hasPrefix("AWS4-HMAC-SHA256 ") ?? false
            return await answerWire(target: target, body: Data(buffer: body), signed: signed)
        }
        ControlAPI(simulator: self).addRoutes(to: router)
        Console(simulator: self).addRoutes(to: router)
        functions.processes?.addRoutes(to: router)
        for service in services { service.addRoutes(to: router) }
        router.add(middleware: Fallback(site: site))
        return router
    }

    /// Serves every API on one port until the task is cancelled or SIGINT/SIGTERM arrives;
    /// `onReady` receives the bound port (useful with port 0). In real time, due work runs
    /// every second in the background.
    public func run(host: String, port: Int, onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "formwork"),
            onServerRunning: { [boundEndpoint, webhooks] channel in
                let bound = channel.localAddress?.port ?? port
                boundEndpoint.withLockedValue { $0 = "http://\(host):\(bound)" }
                // Subscribers may now visit the SubscribeURL of a confirmation request.
                webhooks.start()
                await onReady(bound)
            })
        app.addServices(DueWorkTicker(simulator: self))
        if let processes = functions.processes { app.addServices(ProcessFunctionsService(processes: processes)) }
        if let smtpRelay {
            app.addServices(OutboxRelayService(relay: smtpRelay, start: relayStart, outbox: outbox, failures: failures, clock: clock))
        }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// Answers a request of a JSON protocol (DynamoDB, Cognito), chosen by its `X-Amz-Target`.
    func answerWire(target: String, body: Data, signed: Bool) async -> Response {
        guard let service = wireProtocols.first(where: { target.hasPrefix($0.targetPrefix) }) else {
            return Self.wire(
                .error(type: "UnknownOperationException", message: "Unknown target \(target.isEmpty ? "(none)" : target)"),
                contentType: "application/x-amz-json-1.1")
        }
        let answer = await service.handle(operation: String(target.dropFirst(service.targetPrefix.count)), body: body, signed: signed)
        return Self.wire(answer, contentType: service.contentType)
    }

    static func wire(_ answer: WireAnswer, contentType: String) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        headers[HeaderNames.requestID] = UUID().uuidString.lowercased()
        headers[HeaderNames.crc32] = String(CRC32.checksum(answer.body))
        return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}

/// What answers a request no route took: the site for `GET` and `HEAD` (the distribution
/// serves every other path), and a JSON `404` for the rest. Added last, it wraps only the
/// router's not-found answer.
private struct Fallback: RouterMiddleware {
    let site: SiteService?

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/restapis/") || path.hasPrefix("/_aws/execute-api/") {
            // No such API or stage: what API Gateway answers for a path it does not know.
            return ControlResponse.json(["message": "Missing Authentication Token"], status: .forbidden)
        }
        if let site, request.method == .get || request.method == .head, path != "/_formwork", !path.hasPrefix("/_formwork/") {
            return site.respond(to: request)
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return ControlResponse.json(["message": "No route for \(request.method.rawValue) \(request.uri.path)."], status: .notFound)
        }
    }
}

/// The simulator, held weakly by the closures its services call back through.
struct WeakSimulator: Sendable {
    weak var simulator: Simulator?
}

/// Runs due work one run at a time, in the order asked.
actor DueWork {
    private var last: Task<Void, Never>?

    func run(_ work: @escaping @Sendable () async -> Void) async {
        let previous = last
        let task = Task {
            await previous?.value
            await work()
        }
        last = task
        await task.value
    }
}

/// In real time, runs the simulator's due work every second; virtual time moves only through
/// the clock API, which runs it itself.
private struct DueWorkTicker: Service {
    let simulator: Simulator

    func run() async throws {
        await simulator.runDue()
        guard simulator.clock.mode == .real else {
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                await simulator.runDue()
            }
        }
    }
}

/// The AWS protocol headers the simulator reads and writes.
enum HeaderNames {
    static let target = name("X-Amz-Target")
    static let requestID = name("x-amzn-RequestId")
    static let crc32 = name("x-amz-crc32")

    /// A header name; these literals are valid tokens, so the fallback never applies.
    private static func name(_ text: String) -> HTTPField.Name {
        HTTPField.Name(text) ?? .contentType
    }
}

/// CRC-32 (IEEE), which SDKs check DynamoDB responses against (`x-amz-crc32`).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

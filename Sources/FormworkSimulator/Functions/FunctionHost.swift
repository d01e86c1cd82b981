import Formwork
import FormworkRuntime
import Foundation
import NIOConcurrencyHelpers

/// Runs the model's functions in process, as Lambda runs them: each function's handler is built
/// once (a cold start) from `Services` whose clients are checked against the function's grants,
/// whose environment is the model's, resolved to local names and ARNs, and whose clock is the
/// simulator's. Invocations keep the function's timeout and reserved concurrency, and write
/// `START`, `END` and `REPORT` lines to its log group.
public final class FunctionHost: Sendable {
    /// Why an invocation gave no answer.
    public enum Failure: Error, Equatable, Sendable {
        /// More invocations at once than the function's reserved concurrency.
        case throttled
        /// The handler ran past the function's timeout (seconds).
        case timedOut(Int)
        /// The handler threw.
        case unhandled(String)
    }

    let architecture: Architecture
    let naming: LocalResources
    let tables: TableService
    let identity: IdentityService
    let messaging: MessagingService
    let parameters: ParameterService
    /// The functions' log groups.
    public let logs: FunctionLogs
    let clock: SimulatorClock
    let endpoint: @Sendable () -> String
    /// The functions' processes, when they run as processes rather than in this one.
    let processes: ProcessFunctions?
    /// The credentials of the functions' processes, and whose each one is.
    let credentials: FunctionCredentials
    private let environments: FunctionEnvironment
    private let instances = NIOLockedValueBox<[String: Instance]>([:])
    private let running = NIOLockedValueBox<[String: Int]>([:])

    /// A cold-started function: its services and its handler.
    struct Instance: Sendable {
        var services: Services
        var handler: (any FunctionHandler)?
        var initDuration: Duration
    }

    /// What one invocation did: its answer or failure, and the lines it logged.
    public struct Outcome<Answer: Sendable>: Sendable {
        /// The handler's answer, or why there is none.
        public var result: Result<Answer, Failure>
        /// The invocation's log lines, `START` to `REPORT`.
        public var log: [FunctionLogs.Line]
    }

    init(
        architecture: Architecture, naming: LocalResources, tables: TableService, identity: IdentityService, messaging: MessagingService,
        parameters: ParameterService, logs: FunctionLogs, clock: SimulatorClock, endpoint: @escaping @Sendable () -> String,
        processExecutable: URL? = nil
    ) {
        self.parameters = parameters
        let environment = FunctionEnvironment(architecture: architecture, naming: naming, endpoint: endpoint)
        let credentials = FunctionCredentials(architecture: architecture, naming: naming)
        environments = environment
        self.credentials = credentials
        processes = processExecutable.map { executable in
            ProcessFunctions(
                executable: executable, architecture: architecture, naming: naming, clock: clock, endpoint: endpoint, credentials: credentials,
                environment: { environment.variables(of: $0) },
                initLog: { function, line in
                    logs.append(environment.logGroup(function), [FunctionLogs.Line(timestamp: clock.now(), requestId: "", message: line)])
                })
        }
        self.architecture = architecture
        self.naming = naming
        self.tables = tables
        self.identity = identity
        self.messaging = messaging
        self.logs = logs
        self.clock = clock
        self.endpoint = endpoint
    }

    /// The function with this logical id or local name.
    public func function(named name: String) -> Function? {
        architecture.resources(of: Function.self).first { $0.name == name || functionName($0) == name }
    }

    /// The function's local name.
    public func functionName(_ function: Function) -> String { naming.functionName(function) }

    /// The credentials the function's processes get under `--functions process`; calls signed
    /// with them are checked against the function's grants.
    public func credentials(of function: Function) -> [String: String] {
        guard let keys = credentials.credentials(for: function) else { return [:] }
        return ["accessKeyId": keys.accessKeyId, "secretAccessKey": keys.secretAccessKey, "sessionToken": keys.sessionToken]
    }

    /// The function's log group: `/aws/lambda/<name>`.
    public func logGroup(_ function: Function) -> String { environments.logGroup(function) }

    /// The function's environment: the model's variables, references resolved to local names
    /// and ARNs, and the variables Lambda itself sets.
    public func environment(of function: Function) -> [String: String] { environments.variables(of: function) }

    /// The `Services` the function's handler is built with: clients checked against its grants.
    public func services(for function: Function) -> Services {
        let permissions = Permissions(function: function, architecture: architecture, naming: naming)
        return Services(
            tables: GrantedTables(tables: tables, permissions: permissions),
            notifications: GrantedNotifications(messaging: messaging, permissions: permissions),
            users: GrantedDirectory(directory: identity.directory, permissions: permissions),
            parameters: GrantedParameters(parameters: parameters, permissions: permissions),
            environment: environment(of: function), clock: clock.clock)
    }

    private func instance(of function: Function) -> Instance {
        instances.withLockedValue { instances in
            if let instance = instances[function.name] { return instance }
            let started = ContinuousClock.now
            let services = services(for: function)
            let handler = function.handler.map { $0.init(services: services) }
            let instance = Instance(services: services, handler: handler, initDuration: ContinuousClock.now - started)
            instances[function.name] = instance
            return instance
        }
    }

    /// Invokes the function's API handler with a proxy event, within its timeout and concurrency.
    public func invoke(_ function: Function, event: APIGatewayRequest) async -> Result<APIGatewayResponse, Failure> {
        await invoke(function, api: event).result
    }

    /// Invokes the function's API handler with a proxy event; the outcome keeps its log lines.
    public func invoke(_ function: Function, api event: APIGatewayRequest) async -> Outcome<APIGatewayResponse> {
        let outcome = await run(function, requestId: event.requestContext.requestId, .api(event))
        return Outcome(
            result: outcome.result.flatMap { $0.map(Result.success) ?? .failure(.unhandled("The handler answered an API request with nothing.")) },
            log: outcome.log)
    }

    /// Invokes the function's scheduled handler with EventBridge's event.
    public func invoke(_ function: Function, scheduled event: ScheduledEvent, requestId: String) async -> Outcome<Void> {
        let outcome = await run(function, requestId: requestId, .scheduled(event))
        return Outcome(result: outcome.result.map { _ in () }, log: outcome.log)
    }

    /// Invokes the function's SNS handler with a topic's delivery.
    public func invoke(_ function: Function, sns event: SNSEvent, requestId: String) async -> Outcome<Void> {
        let outcome = await run(function, requestId: requestId, .sns(event))
        return Outcome(result: outcome.result.map { _ in () }, log: outcome.log)
    }

    private struct ProcessFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs one invocation within the function's timeout and reserved concurrency, writing
    /// `START`, `END` and `REPORT` around what the handler logs.
    private func run(_ function: Function, requestId: String, _ event: FunctionEvent) async -> Outcome<APIGatewayResponse?> {
        let limit = function.reservedConcurrency
        let admitted = running.withLockedValue { running -> Bool in
            let current = running[function.name, default: 0]
            if let limit, current >= limit { return false }
            running[function.name] = current + 1
            return true
        }
        guard admitted else { return Outcome(result: .failure(.throttled), log: []) }
        defer { running.withLockedValue { $0[function.name, default: 1] -= 1 } }

        let group = logGroup(function)
        let logger = InvocationLog(requestId: requestId, clock: clock)
        let initDuration = NIOLockedValueBox<Duration?>(nil)
        let run: @Sendable (HandlerContext) async throws -> APIGatewayResponse?
        if let processes {
            run = { context in
                let outcome = await processes.invoke(function, event: try event.encoded(), requestId: requestId, deadline: context.deadline, log: logger)
                initDuration.withLockedValue { $0 = outcome.initDuration }
                switch outcome.result {
                case .success(let data): return try event.answer(from: data)
                case .failure(.error(let type, let message)): throw ProcessFailure(description: "\(type): \(message)")
                case .failure(.exited(let message)): throw ProcessFailure(description: message)
                }
            }
        } else {
            let coldStart = instances.withLockedValue { $0[function.name] == nil }
            let instance = instance(of: function)
            guard let handler = instance.handler else { return Outcome(result: .failure(.unhandled("The function has no handler.")), log: []) }
            initDuration.withLockedValue { $0 = coldStart ? instance.initDuration : nil }
            run = { context in try await event.run(handler, context: context) }
        }
        logger.write("START RequestId: \(requestId) Version: $LATEST")
        let timeout = function.timeout.seconds
        let context = HandlerContext(
            requestId: requestId, functionName: functionName(function), deadline: clock.now().addingTimeInterval(TimeInterval(timeout)), logger: logger)
        let started = ContinuousClock.now
        let outcome = await Self.race(after: .seconds(timeout)) { try await run(context) }
        let elapsed = ContinuousClock.now - started
        let result: Result<APIGatewayResponse?, Failure>
        switch outcome {
        case .some(.success(let answer)): result = .success(answer)
        case .some(.failure(let error)):
            logger.error("Unhandled error: \(error)")
            result = .failure(.unhandled("\(error)"))
        case .none:
            processes?.abandon(function, requestId: requestId)
            logger.write("Task timed out after \(timeout).00 seconds")
            result = .failure(.timedOut(timeout))
        }
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        var report = String(
            format: "REPORT RequestId: %@\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB", requestId, milliseconds,
            Int(milliseconds.rounded(.up)), function.memory)
        if let initDuration = initDuration.withLockedValue({ $0 })?.components {
            report += String(format: "\tInit Duration: %.2f ms", Double(initDuration.attoseconds) / 1e15 + Double(initDuration.seconds) * 1000)
        }
        logger.write("END RequestId: \(requestId)")
        logger.write(report)
        logs.append(group, logger.lines)
        return Outcome(result: result, log: logger.lines)
    }

    /// Runs `work` in its own task; `nil` when it has not finished after `limit` (it is then
    /// cancelled and left to finish on its own, as a timed-out Lambda invocation is abandoned).
    static func race<T: Sendable>(after limit: Duration, _ work: @escaping @Sendable () async throws -> T) async -> Result<T, any Error>? {
        let box = NIOLockedValueBox<CheckedContinuation<Result<T, any Error>?, Never>?>(nil)
        let finish: @Sendable (Result<T, any Error>?) -> Void = { value in
            box.withLockedValue { continuation in
                continuation?.resume(returning: value)
                continuation = nil
            }
        }
        return await withCheckedContinuation { continuation in
            box.withLockedValue { $0 = continuation }
            let worker = NIOLockedValueBox<Task<Void, Never>?>(nil)
            let timer = Task {
                do { try await Task.sleep(for: limit) } catch { return }
                finish(nil)
                worker.withLockedValue { $0?.cancel() }
            }
            worker.withLockedValue { worker in
                worker = Task {
                    do { finish(.success(try await work())) } catch { finish(.failure(error)) }
                    timer.cancel()
                }
            }
        }
    }
}

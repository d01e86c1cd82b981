import AsyncHTTPClient
import FormworkRuntime
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#endif

/// The loop of a custom Lambda runtime (`provided.al2023`): it builds the handler once per
/// cold start, then asks the Runtime API for the next event, runs it, and posts the answer
/// or the error, until the process is stopped.
///
/// ```swift
/// // main.swift of the executable zipped as `bootstrap`
/// import FormworkLambda
/// exit(await LambdaRuntime.main { handlerName in handlers[handlerName] })
/// ```
public struct LambdaRuntime: Sendable {
    /// One event from the Runtime API's `next`.
    public struct Invocation: Sendable {
        /// `Lambda-Runtime-Aws-Request-Id`.
        public var requestId: String
        /// `Lambda-Runtime-Deadline-Ms`, as a date.
        public var deadline: Date
        /// `Lambda-Runtime-Invoked-Function-Arn`.
        public var functionArn: String
        /// `Lambda-Runtime-Trace-Id`, when tracing is on.
        public var traceId: String?
        /// The event.
        public var event: Data
        /// `Formwork-Simulator-Time`: the simulator's clock when it handed the event over, so
        /// that a function run by `formwork simulate --functions process` reads the simulator's
        /// time, virtual or shifted. Lambda sends no such header; the system clock then rules.
        public var simulatorTime: Date?
    }

    /// Why a runtime could not start its handler.
    public struct InitializationError: Error, Sendable, CustomStringConvertible {
        /// The error type Lambda reports (`Runtime.HandlerNotFound`).
        public var type: String
        /// What went wrong.
        public var message: String

        /// An error of `type`.
        public init(type: String, message: String) {
            self.type = type
            self.message = message
        }

        public var description: String { "\(type): \(message)" }
    }

    /// The Runtime API failed the loop: it refused a post or stopped answering `next`.
    public struct RuntimeAPIError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The Runtime API's base URL (`http://` + `AWS_LAMBDA_RUNTIME_API`).
    let api: String
    let client: HTTPClient
    let environment: [String: String]
    let output: @Sendable (String) -> Void
    /// How far the simulator's clock is from the system's (zero in Lambda).
    let clockOffset = ClockOffset()

    /// A runtime speaking to the Runtime API at `AWS_LAMBDA_RUNTIME_API` of `environment`.
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment, client: HTTPClient = LambdaRuntime.runtimeAPIClient,
        output: @escaping @Sendable (String) -> Void = { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    ) throws {
        guard let api = environment["AWS_LAMBDA_RUNTIME_API"], !api.isEmpty else {
            throw InitializationError(type: "Runtime.NoRuntimeAPI", message: "AWS_LAMBDA_RUNTIME_API is not set: this executable runs inside Lambda.")
        }
        self.api = "http://\(api)/2018-06-01/runtime"
        self.client = client
        self.environment = environment
        self.output = output
    }

    /// The Runtime API's client: `next` waits as long as no event comes (the shared client's
    /// 90-second idle read timeout would end it), so reads have no timeout of their own.
    public static let runtimeAPIClient = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: nil)))

    /// Runs the handler `_HANDLER` names (the template's `Handler`) until SIGTERM; returns
    /// the exit status: 0 after SIGTERM, 1 after an init error or when the Runtime API is gone.
    public static func main(handler resolve: @Sendable (String) -> (any FunctionHandler.Type)?) async -> Int32 {
        let runtime: LambdaRuntime
        do { runtime = try LambdaRuntime() } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            return 1
        }
        let stop = StopSignal.install()
        do {
            let handler = try await runtime.start { services in
                let name = runtime.environment["_HANDLER"] ?? ""
                guard let type = resolve(name) else {
                    throw InitializationError(type: "Runtime.HandlerNotFound", message: "No handler named '\(name)' in this executable.")
                }
                return type.init(services: services)
            }
            try await runtime.loop(handler, until: stop)
            return 0
        } catch let error as InitializationError {
            runtime.output("INIT_ERROR \(error)")
            return 1
        } catch {
            runtime.output("The Runtime API failed: \(error)")
            return 1
        }
    }

    /// Builds the handler with AWS-backed ``Services`` from the environment; an error is
    /// posted to `init/error` and thrown as ``InitializationError``.
    public func start(_ build: (Services) throws -> any FunctionHandler) async throws -> any FunctionHandler {
        do {
            let configuration = try AWSConfiguration(environment: environment)
            let transport = AWSTransport(configuration: configuration)
            let services = Services(
                tables: DynamoDBTables(transport: transport), notifications: SNSAndSES(transport: transport),
                users: CognitoDirectory(transport: transport), parameters: SSMParameters(transport: transport), environment: environment,
                clock: clockOffset.clock)
            return try build(services)
        } catch {
            let failure = (error as? InitializationError) ?? InitializationError(type: "Runtime.InitError", message: "\(error)")
            try? await post("\(api)/init/error", body: Self.errorBody(type: failure.type, message: failure.message), errorType: failure.type)
            throw failure
        }
    }

    /// Runs invocations one after another until `stop` is raised between two of them.
    public func loop(_ handler: any FunctionHandler, until stop: StopSignal = StopSignal()) async throws {
        while !stop.isRaised {
            guard let invocation = try await next(until: stop) else { return }
            try await run(invocation, with: handler)
        }
    }

    /// The next invocation, or nil when `stop` is raised while waiting for it.
    func next(until stop: StopSignal) async throws -> Invocation? {
        try await withThrowingTaskGroup(of: Invocation?.self) { group in
            group.addTask { try await self.next() }
            group.addTask {
                await stop.wait()
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// `GET /invocation/next`: waits for an event.
    public func next() async throws -> Invocation {
        let response = try await client.execute(HTTPClientRequest(url: "\(api)/invocation/next"), timeout: .hours(24 * 365))
        let body = try await response.body.collect(upTo: 6 * 1024 * 1024 + 1024)
        guard response.status == .ok, let requestId = response.headers.first(name: "Lambda-Runtime-Aws-Request-Id") else {
            throw RuntimeAPIError(message: "The Runtime API answered next with \(response.status.code): \(String(buffer: body))")
        }
        let deadline = response.headers.first(name: "Lambda-Runtime-Deadline-Ms").flatMap(Double.init).map { Date(timeIntervalSince1970: $0 / 1000) }
        return Invocation(
            requestId: requestId, deadline: deadline ?? Date().addingTimeInterval(3),
            functionArn: response.headers.first(name: "Lambda-Runtime-Invoked-Function-Arn") ?? "",
            traceId: response.headers.first(name: "Lambda-Runtime-Trace-Id"), event: Data(buffer: body),
            simulatorTime: response.headers.first(name: "Formwork-Simulator-Time").flatMap(Double.init).map { Date(timeIntervalSince1970: $0 / 1000) })
    }

    /// Runs one invocation and posts its response or its error.
    public func run(_ invocation: Invocation, with handler: any FunctionHandler) async throws {
        clockOffset.set(invocation.simulatorTime.map { $0.timeIntervalSince(Date()) } ?? 0)
        if let trace = invocation.traceId { setenv("_X_AMZN_TRACE_ID", trace, 1) } else { unsetenv("_X_AMZN_TRACE_ID") }
        let logger = StandardOutputLogger(requestId: invocation.requestId, output: output)
        let context = HandlerContext(
            requestId: invocation.requestId, functionName: environment["AWS_LAMBDA_FUNCTION_NAME"] ?? "", deadline: invocation.deadline,
            logger: logger)
        let base = "\(api)/invocation/\(invocation.requestId)"
        do {
            let response = try await FunctionEvent.decode(invocation.event).run(handler, context: context)
            let body = try response.map { try JSONCoding.encode($0) } ?? Data("null".utf8)
            do {
                try await post("\(base)/response", body: body, errorType: nil)
            } catch let refused as RuntimeAPIError {
                // A response Lambda refuses (too large, say) fails the invocation, not the runtime.
                logger.log(.error, "The response was refused: \(refused)")
                try await post("\(base)/error", body: Self.errorBody(type: "Runtime.ResponseRefused", message: "\(refused)"), errorType: "Unhandled")
            }
        } catch let failure as RuntimeAPIError {
            throw failure
        } catch {
            let type = (error as? FunctionEventError).map { _ in "Runtime.InvalidEvent" } ?? String(describing: Swift.type(of: error))
            logger.log(.error, "\(type): \(error)")
            try await post("\(base)/error", body: Self.errorBody(type: type, message: "\(error)"), errorType: "Unhandled")
        }
    }

    private func post(_ url: String, body: Data, errorType: String?) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let errorType { request.headers.add(name: "Lambda-Runtime-Function-Error-Type", value: errorType) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1024 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw RuntimeAPIError(message: "The Runtime API answered \(response.status.code) to \(url).")
        }
    }

    static func errorBody(type: String, message: String) -> Data {
        (try? JSONSerialization.data(withJSONObject: ["errorType": type, "errorMessage": message, "stackTrace": [String]()], options: [.sortedKeys]))
            ?? Data()
    }
}

/// Log lines as Lambda's plain-text format has them: time, request id, level and message,
/// separated by tabs, one line per call (line breaks in a message are kept as `\r`, so
/// CloudWatch keeps the message as one event).
struct StandardOutputLogger: HandlerLogger {
    let requestId: String
    let output: @Sendable (String) -> Void

    func log(_ level: LogLevel, _ message: String) {
        let time = JSONCoding.formatDate(Date())
        output("\(time)\t\(requestId)\t\(level.rawValue.uppercased())\t\(message.replacingOccurrences(of: "\n", with: "\r"))")
    }
}

/// The difference between the time a function should read and the system's: zero in Lambda,
/// the simulator's offset under `formwork simulate --functions process`.
final class ClockOffset: Sendable {
    private let seconds = NIOLockedValueBox<TimeInterval>(0)

    func set(_ value: TimeInterval) { seconds.withLockedValue { $0 = value } }

    /// The system clock moved by the offset.
    var clock: Clock { Clock { [seconds] in Date().addingTimeInterval(seconds.withLockedValue { $0 }) } }
}

/// Raised once, by SIGTERM (or a test); waiters wake when it is.
public final class StopSignal: Sendable {
    private struct State {
        var raised = false
        var cancelled: Set<UUID> = []
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// A signal not yet raised.
    public init() {}

    /// Whether it was raised.
    public var isRaised: Bool { state.withLockedValue { $0.raised } }

    /// Raises it and wakes the waiters.
    public func raise() {
        let waiting = state.withLockedValue { state in
            state.raised = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiting { waiter.resume() }
    }

    /// Returns once it is raised, or when the waiting task is cancelled.
    public func wait() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLockedValue { state in
                    if state.raised || state.cancelled.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            // A cancellation may come before the waiter is registered: remember it.
            let waiter = state.withLockedValue { state in
                state.waiters.removeValue(forKey: id)
                    ?? {
                        state.cancelled.insert(id); return nil
                    }()
            }
            waiter?.resume()
        }
    }

    /// A signal raised by SIGTERM.
    static func install() -> StopSignal {
        let stop = StopSignal()
        signal(SIGTERM, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGTERM)
        source.setEventHandler { stop.raise() }
        source.resume()
        StopSignal.sources.append(source)
        return stop
    }

    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
}

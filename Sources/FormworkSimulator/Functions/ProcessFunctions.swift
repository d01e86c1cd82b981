import Formwork
import FormworkRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// The functions run as child processes, as Lambda runs a custom runtime: each process is the
/// functions' executable (the packaged `bootstrap` or the built one), told its handler by
/// `_HANDLER`, and speaks the Lambda Runtime API to the simulator, which serves it per process
/// under `/_formwork/runtime/<function>/<process>` as the runtime interface emulator serves it.
/// A process calls the simulated services through `AWS_ENDPOINT_URL` with credentials of its
/// own, so the simulator knows which function calls and checks its grants.
final class ProcessFunctions: Sendable {
    /// Why an invocation in a process gave no answer.
    enum Failure: Error, Sendable {
        case error(type: String, message: String)
        case exited(String)
    }

    /// What a process answered, and its init duration when the invocation was its first.
    struct Outcome: Sendable {
        var result: Result<Data, Failure>
        var initDuration: Duration?
    }

    /// An invocation waiting for, or being run by, a process.
    struct Invocation: Sendable {
        var requestId: String
        var event: Data
        var deadline: Date
        var log: InvocationLog
        var answer: CheckedContinuation<Outcome, Never>
        /// Set when a process that had run nothing before takes it.
        var initDuration: Duration?

        func resume(_ result: Result<Data, Failure>) {
            answer.resume(returning: Outcome(result: result, initDuration: initDuration))
        }
    }

    struct Worker {
        var process: Process
        var current: String?
        var started: ContinuousClock.Instant
        var initDuration: Duration?
        var initError: String?
        var served = 0
    }

    struct Slot {
        var queue: [Invocation] = []
        var waiting: [Int: CheckedContinuation<Invocation?, Never>] = [:]
        var inFlight: [String: Invocation] = [:]
        var workers: [Int: Worker] = [:]
    }

    struct State {
        var slots: [String: Slot] = [:]
        var nextWorker = 1
        var stopped = false
    }

    let executable: URL
    let architecture: Architecture
    let naming: LocalResources
    let clock: SimulatorClock
    let endpoint: @Sendable () -> String
    let credentials: FunctionCredentials
    let environment: @Sendable (Function) -> [String: String]
    let initLog: @Sendable (Function, String) -> Void
    private let state = NIOLockedValueBox(State())

    /// The most processes one function runs at once.
    static let maximumProcesses = 10

    init(
        executable: URL, architecture: Architecture, naming: LocalResources, clock: SimulatorClock, endpoint: @escaping @Sendable () -> String,
        credentials: FunctionCredentials, environment: @escaping @Sendable (Function) -> [String: String],
        initLog: @escaping @Sendable (Function, String) -> Void
    ) {
        self.executable = executable
        self.architecture = architecture
        self.naming = naming
        self.clock = clock
        self.endpoint = endpoint
        self.credentials = credentials
        self.environment = environment
        self.initLog = initLog
    }

    /// Runs one invocation in a process of `function`; the answer is the Runtime API's
    /// response body. A cold start (a new process) counts toward the invocation, as in Lambda.
    func invoke(_ function: Function, event: Data, requestId: String, deadline: Date, log: InvocationLog) async -> Outcome {
        await withCheckedContinuation { continuation in
            let invocation = Invocation(requestId: requestId, event: event, deadline: deadline, log: log, answer: continuation)
            let (handOff, spawn, refused, assigned) = state.withLockedValue {
                state -> (CheckedContinuation<Invocation?, Never>?, Int?, Bool, Invocation?) in
                if state.stopped { return (nil, nil, true, nil) }
                var slot = state.slots[function.name, default: Slot()]
                defer { state.slots[function.name] = slot }
                if let (worker, waiter) = slot.waiting.min(by: { $0.key < $1.key }) {
                    slot.waiting[worker] = nil
                    let assigned = Self.assign(invocation, to: worker, in: &slot)
                    return (waiter, nil, false, assigned)
                }
                slot.queue.append(invocation)
                // Every process is busy or starting; a starting one takes the first queued.
                let starting = slot.workers.values.filter { $0.initDuration == nil }.count
                guard slot.queue.count > starting, slot.workers.count < Self.maximumProcesses else { return (nil, nil, false, nil) }
                let id = state.nextWorker
                state.nextWorker += 1
                slot.workers[id] = Worker(process: Process(), started: .now)
                return (nil, id, false, nil)
            }
            if refused { invocation.resume(.failure(.exited("The simulator is stopping."))) }
            handOff?.resume(returning: assigned)
            if let spawn { start(function, worker: spawn) }
        }
    }

    /// Gives up on an invocation that ran past its timeout: its process is stopped, as Lambda
    /// stops the sandbox.
    func abandon(_ function: Function, requestId: String) {
        let (process, abandoned) = state.withLockedValue { state -> (Process?, Invocation?) in
            guard var slot = state.slots[function.name] else { return (nil, nil) }
            defer { state.slots[function.name] = slot }
            let queued = slot.queue.firstIndex { $0.requestId == requestId }.map { slot.queue.remove(at: $0) }
            let running = slot.inFlight.removeValue(forKey: requestId)
            return (slot.workers.values.first { $0.current == requestId }?.process, queued ?? running)
        }
        abandoned?.resume(.failure(.exited("timed out")))
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Stops every process and answers every waiting `next`, so the server can shut down.
    func stopAll() {
        let (processes, waiters, invocations) = state.withLockedValue { state in
            state.stopped = true
            let slots = state.slots.values
            state.slots = [:]
            return (
                slots.flatMap { $0.workers.values.map(\.process) }, slots.flatMap { $0.waiting.values },
                slots.flatMap { $0.queue + Array($0.inFlight.values) }
            )
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        for invocation in invocations { invocation.resume(.failure(.exited("The simulator stopped."))) }
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    // MARK: - Processes

    private func start(_ function: Function, worker: Int) {
        guard let process = state.withLockedValue({ $0.stopped ? nil : $0.slots[function.name]?.workers[worker]?.process }),
            let credentials = credentials.credentials(for: function)
        else { return }
        process.executableURL = executable
        let api = endpoint().replacingOccurrences(of: "http://", with: "") + "/_formwork/runtime/\(function.name)/\(worker)"
        process.environment = environment(function).merging(
            [
                "AWS_LAMBDA_RUNTIME_API": api, "_HANDLER": function.handlerName, "AWS_ACCESS_KEY_ID": credentials.accessKeyId,
                "AWS_SECRET_ACCESS_KEY": credentials.secretAccessKey, "AWS_SESSION_TOKEN": credentials.sessionToken, "AWS_ENDPOINT_URL": endpoint(),
                "AWS_EXECUTION_ENV": "AWS_Lambda_provided.al2023", "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "en_US.UTF-8", "TZ": ":UTC",
            ], uniquingKeysWith: { _, new in new })
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let lines = LineBuffer()
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                if let rest = lines.rest() { self?.logLine(rest, function: function, worker: worker) }
                return
            }
            for line in lines.append(data) { self?.logLine(line, function: function, worker: worker) }
        }
        process.terminationHandler = { [weak self] process in
            self?.exited(function, worker: worker, status: process.terminationStatus)
        }
        do {
            try process.run()
        } catch {
            exited(function, worker: worker, status: -1, reason: "could not start \(executable.path): \(error)")
        }
    }

    private func exited(_ function: Function, worker: Int, status: Int32, reason: String? = nil) {
        let (failed, waiter, respawn, initError) = state.withLockedValue {
            state -> ([Invocation], CheckedContinuation<Invocation?, Never>?, Int?, String?) in
            guard var slot = state.slots[function.name], let gone = slot.workers.removeValue(forKey: worker) else { return ([], nil, nil, nil) }
            defer { state.slots[function.name] = slot }
            let waiter = slot.waiting.removeValue(forKey: worker)
            var failed: [Invocation] = []
            if let current = gone.current, let invocation = slot.inFlight.removeValue(forKey: current) { failed.append(invocation) }
            var respawn: Int?
            if gone.initDuration == nil && slot.workers.isEmpty {
                // A process that never asked for work cannot run what waits: those fail with it.
                failed += slot.queue
                slot.queue = []
            } else if !slot.queue.isEmpty && slot.workers.isEmpty && !state.stopped {
                let id = state.nextWorker
                state.nextWorker += 1
                slot.workers[id] = Worker(process: Process(), started: .now)
                respawn = id
            }
            return (failed, waiter, respawn, gone.initError)
        }
        waiter?.resume(returning: nil)
        let message = reason ?? initError.map { "Runtime init failed: \($0)" } ?? "Runtime exited with status \(status)"
        for invocation in failed {
            invocation.log.write("RequestId: \(invocation.requestId) Error: \(message)")
            invocation.resume(.failure(.exited(message)))
        }
        if let respawn { start(function, worker: respawn) }
    }

    private func logLine(_ line: String, function: Function, worker: Int) {
        // The runtime's plain-text lines: time, request id, level, message.
        let fields = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false)
        let text = fields.count == 4 ? "\(fields[2]) \(fields[3])" : line
        let log = state.withLockedValue { state -> InvocationLog? in
            guard let slot = state.slots[function.name], let current = slot.workers[worker]?.current else { return nil }
            return slot.inFlight[current]?.log
        }
        if let log { log.write(text) } else { initLog(function, text) }
    }

    // MARK: - The Runtime API

    func addRoutes(to router: Router<BasicRequestContext>) {
        let base = "/_formwork/runtime/:function/:worker/2018-06-01/runtime"
        router.get("\(base)/invocation/next") { [self] _, context -> Response in
            guard let (function, worker) = self.caller(context) else { return ControlResponse.notFound() }
            // The server waits for its open requests as it shuts down: a waiting `next` ends then.
            let next = await withGracefulShutdownHandler {
                await self.next(function, worker: worker)
            } onGracefulShutdown: {
                self.stopAll()
            }
            guard let invocation = next else {
                return ControlResponse.json(["errorMessage": "The simulator is stopping.", "errorType": "Runtime.Stopping"], status: .gone)
            }
            var headers: HTTPFields = [.contentType: "application/json"]
            let arn = naming.arn(of: function.id, in: architecture) ?? ""
            for (name, value) in [
                ("Lambda-Runtime-Aws-Request-Id", invocation.requestId),
                ("Lambda-Runtime-Deadline-Ms", String(Int64(invocation.deadline.timeIntervalSince1970 * 1000))),
                ("Lambda-Runtime-Invoked-Function-Arn", arn), ("Lambda-Runtime-Trace-Id", Self.traceId(invocation)),
                ("Formwork-Simulator-Time", String(Int64((clock.now().timeIntervalSince1970 * 1000).rounded()))),
            ] {
                if let field = HTTPField.Name(name) { headers[field] = value }
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: invocation.event)))
        }
        router.post("\(base)/invocation/:requestId/response") { [self] request, context -> Response in
            try await finish(request, context) { .success($0) }
        }
        router.post("\(base)/invocation/:requestId/error") { [self] request, context -> Response in
            try await finish(request, context) { body in
                let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
                return .failure(
                    .error(
                        type: object["errorType"] as? String ?? "Unhandled", message: object["errorMessage"] as? String ?? String(decoding: body, as: UTF8.self)
                    ))
            }
        }
        router.post("\(base)/init/error") { [self] request, context -> Response in
            guard let (function, worker) = self.caller(context) else { return ControlResponse.notFound() }
            let body = try await request.body.collect(upTo: 1 << 20)
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
            let error = "\(object["errorType"] as? String ?? "Runtime.InitError"): \(object["errorMessage"] as? String ?? String(buffer: body))"
            state.withLockedValue { $0.slots[function.name]?.workers[worker]?.initError = error }
            return ControlResponse.json(["status": "OK"], status: .accepted)
        }
    }

    /// An X-Ray trace header: `Root=1-<8 hex digits of the epoch seconds>-<24 hex digits>`.
    static func traceId(_ invocation: Invocation) -> String {
        let seconds = String(Int(invocation.deadline.timeIntervalSince1970), radix: 16)
        let hex = invocation.requestId.filter(\.isHexDigit).lowercased()
        let unique = String((hex + String(repeating: "0", count: 24)).prefix(24))
        return "Root=1-\(String(repeating: "0", count: max(0, 8 - seconds.count)) + seconds)-\(unique);Sampled=1"
    }

    private func caller(_ context: BasicRequestContext) -> (Function, Int)? {
        guard let name = context.parameters.get("function"), let worker = context.parameters.get("worker").flatMap(Int.init),
            let function = architecture.resources(of: Function.self).first(where: { $0.name == name })
        else { return nil }
        return (function, worker)
    }

    /// The next invocation for a process: one waiting, or the next to come.
    private func next(_ function: Function, worker: Int) async -> Invocation? {
        await withCheckedContinuation { continuation in
            let ready = state.withLockedValue { state -> Invocation?? in
                if state.stopped { return .some(nil) }
                guard var slot = state.slots[function.name], slot.workers[worker] != nil else { return .some(nil) }
                defer { state.slots[function.name] = slot }
                if slot.workers[worker]?.initDuration == nil, let started = slot.workers[worker]?.started {
                    slot.workers[worker]?.initDuration = .now - started
                }
                // A runtime that asks again without answering gives up what it had.
                if let current = slot.workers[worker]?.current, let orphan = slot.inFlight.removeValue(forKey: current) {
                    orphan.resume(.failure(.error(type: "Runtime.NoResponse", message: "The runtime asked for the next event without answering this one.")))
                }
                slot.workers[worker]?.current = nil
                if let earlier = slot.waiting.removeValue(forKey: worker) { earlier.resume(returning: nil) }
                guard !slot.queue.isEmpty else {
                    slot.waiting[worker] = continuation
                    return .none
                }
                return .some(Self.assign(slot.queue.removeFirst(), to: worker, in: &slot))
            }
            if case .some(let invocation) = ready { continuation.resume(returning: invocation) }
        }
    }

    private func finish(_ request: Request, _ context: BasicRequestContext, _ result: (Data) -> Result<Data, Failure>) async throws -> Response {
        guard let (function, worker) = caller(context), let requestId = context.parameters.get("requestId") else { return ControlResponse.notFound() }
        let body = Data(buffer: try await request.body.collect(upTo: 6 * 1024 * 1024))
        let invocation = state.withLockedValue { state -> Invocation? in
            guard state.slots[function.name]?.workers[worker]?.current == requestId else { return nil }
            state.slots[function.name]?.workers[worker]?.current = nil
            return state.slots[function.name]?.inFlight.removeValue(forKey: requestId)
        }
        guard let invocation else {
            return ControlResponse.json(
                ["errorMessage": "Invalid request ID: \(requestId)", "errorType": "InvalidRequestID"], status: .badRequest)
        }
        invocation.resume(result(body))
        return ControlResponse.json(["status": "OK"], status: .accepted)
    }

    /// Gives `invocation` to `worker`, with the worker's init duration when it is its first.
    private static func assign(_ invocation: Invocation, to worker: Int, in slot: inout Slot) -> Invocation {
        var invocation = invocation
        if slot.workers[worker]?.served == 0 { invocation.initDuration = slot.workers[worker]?.initDuration }
        slot.workers[worker]?.served += 1
        slot.workers[worker]?.current = invocation.requestId
        slot.inFlight[invocation.requestId] = invocation
        return invocation
    }
}

/// Splits a byte stream into lines.
final class LineBuffer: Sendable {
    private let pending = NIOLockedValueBox(Data())

    /// What is left after the last line break, once the stream ended.
    func rest() -> String? {
        pending.withLockedValue { pending in
            defer { pending = Data() }
            return pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
        }
    }

    func append(_ data: Data) -> [String] {
        pending.withLockedValue { pending in
            pending.append(data)
            var lines: [String] = []
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
            return lines
        }
    }
}

/// Stops the processes when the simulator shuts down, so that no `next` holds the server open.
struct ProcessFunctionsService: Service {
    let processes: ProcessFunctions

    func run() async throws {
        try? await gracefulShutdown()
        processes.stopAll()
    }
}

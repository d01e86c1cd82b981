import FormworkLambda
import FormworkRuntime
import FormworkTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// A Runtime API server for tests: it hands out queued events with Lambda's headers and keeps
/// what the runtime posts back.
final class FakeRuntimeAPI: Sendable {
    struct Event: Sendable {
        var requestId: String
        var body: String
        var deadlineMs: Int64
        var traceId: String?
    }

    struct Posted: Sendable, Equatable {
        var path: String
        var errorType: String?
        var body: String
    }

    private let state = NIOLockedValueBox<(queue: [Event], posted: [Posted], waiting: [CheckedContinuation<Event, Never>])>(([], [], []))

    func enqueue(_ event: Event) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Event, Never>? in
            if state.waiting.isEmpty {
                state.queue.append(event)
                return nil
            }
            return state.waiting.removeFirst()
        }
        waiter?.resume(returning: event)
    }

    var posted: [Posted] { state.withLockedValue { $0.posted } }

    /// Waits until `count` answers were posted.
    func waitForPosts(_ count: Int) async throws -> [Posted] {
        for _ in 0..<500 {
            let posted = self.posted
            if posted.count >= count { return posted }
            try await Task.sleep(for: .milliseconds(10))
        }
        return posted
    }

    private func nextEvent() async -> Event {
        await withCheckedContinuation { continuation in
            let ready = state.withLockedValue { state -> Event? in
                if !state.queue.isEmpty { return state.queue.removeFirst() }
                state.waiting.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    func serve(_ body: @Sendable (_ api: String) async throws -> Void) async throws {
        let router = Router()
        router.get("/2018-06-01/runtime/invocation/next") { [self] _, _ -> Response in
            let event = await nextEvent()
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[HTTPField.Name("Lambda-Runtime-Aws-Request-Id")!] = event.requestId
            headers[HTTPField.Name("Lambda-Runtime-Deadline-Ms")!] = String(event.deadlineMs)
            headers[HTTPField.Name("Lambda-Runtime-Invoked-Function-Arn")!] = "arn:aws:lambda:us-east-1:000000000000:function:test"
            if let trace = event.traceId { headers[HTTPField.Name("Lambda-Runtime-Trace-Id")!] = trace }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: event.body)))
        }
        router.post("/2018-06-01/runtime/**") { [self] request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let posted = Posted(
                path: request.uri.path, errorType: request.headers[HTTPField.Name("Lambda-Runtime-Function-Error-Type")!], body: String(buffer: body))
            state.withLockedValue { $0.posted.append(posted) }
            return Response(status: .accepted)
        }
        try await withLocalServer(router) { [self] port in
            try await body("127.0.0.1:\(port)")
            // A `next` still waiting would hold the server's shutdown: answer it with nothing.
            for waiter in state.withLockedValue({ state in
                defer { state.waiting = [] }
                return state.waiting
            }) {
                waiter.resume(returning: Event(requestId: "", body: "", deadlineMs: 0))
            }
        }
    }
}

/// Answers API requests with what it saw; fails on `/fail`; records scheduled events' deadlines.
struct EchoHandler: APIHandler, ScheduledHandler {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "asked to fail" }
    }

    let services: Services
    init(services: Services) { self.services = services }

    func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse {
        if request.path == "/fail" { throw Failure() }
        context.logger.info("path \(request.path)")
        return try .json([
            "path": request.path, "requestId": context.requestId, "function": context.functionName,
            "deadline": JSONCoding.formatDate(context.deadline), "region": services.environment["AWS_REGION"] ?? "",
            "trace": ProcessInfo.processInfo.environment["_X_AMZN_TRACE_ID"] ?? "",
        ])
    }

    func handle(_ event: ScheduledEvent, context: HandlerContext) async throws {
        context.logger.info("scheduled until \(JSONCoding.formatDate(context.deadline))")
    }
}

let runtimeEnvironment = [
    "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_LAMBDA_FUNCTION_NAME": "echo",
    "_HANDLER": "Tests.EchoHandler",
]

func apiEvent(path: String) -> String {
    #"{"resource":"/{proxy+}","path":"\#(path)","httpMethod":"GET","headers":{},"multiValueHeaders":{},"queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":null,"stageVariables":null,"requestContext":{"resourcePath":"/{proxy+}","httpMethod":"GET","path":"/dev\#(path)","stage":"dev","requestId":"r","identity":{"sourceIp":"127.0.0.1"},"accountId":"000000000000","apiId":"abc","protocol":"HTTP/1.1","requestTimeEpoch":0,"domainName":"localhost"},"body":null,"isBase64Encoded":false}"#
}

@Suite("Lambda runtime loop against a Runtime API server")
struct LambdaRuntimeTests {
    @Test("a response, a handler error, an event of no known shape, the deadline and the trace id, then a stop while waiting")
    func invocations() async throws {
        let api = FakeRuntimeAPI()
        let lines = NIOLockedValueBox<[String]>([])
        try await api.serve { address in
            var environment = runtimeEnvironment
            environment["AWS_LAMBDA_RUNTIME_API"] = address
            let runtime = try LambdaRuntime(environment: environment, output: { line in lines.withLockedValue { $0.append(line) } })
            let handler = try await runtime.start { EchoHandler(services: $0) }
            let stop = StopSignal()
            let loop = Task { try await runtime.loop(handler, until: stop) }
            api.enqueue(.init(requestId: "req-1", body: apiEvent(path: "/hello"), deadlineMs: 1_796_115_603_000, traceId: "Root=1-abc"))
            api.enqueue(.init(requestId: "req-2", body: apiEvent(path: "/fail"), deadlineMs: 1_796_115_603_000))
            api.enqueue(.init(requestId: "req-3", body: #"{"what":"ever"}"#, deadlineMs: 1_796_115_603_000))
            let posted = try await api.waitForPosts(3)
            try #require(posted.count == 3)
            #expect(posted[0].path == "/2018-06-01/runtime/invocation/req-1/response" && posted[0].errorType == nil)
            let response = try #require(try JSONSerialization.jsonObject(with: Data(posted[0].body.utf8)) as? [String: Any])
            #expect(response["statusCode"] as? Int == 200)
            let echoed = try #require(try JSONSerialization.jsonObject(with: Data((response["body"] as? String ?? "").utf8)) as? [String: String])
            #expect(echoed["path"] == "/hello" && echoed["requestId"] == "req-1" && echoed["function"] == "echo" && echoed["region"] == "us-east-1")
            #expect(echoed["deadline"] == "2026-12-01T09:00:03Z")
            #expect(echoed["trace"] == "Root=1-abc")
            #expect(posted[1].path == "/2018-06-01/runtime/invocation/req-2/error" && posted[1].errorType == "Unhandled")
            let error = try #require(try JSONSerialization.jsonObject(with: Data(posted[1].body.utf8)) as? [String: Any])
            #expect(error["errorType"] as? String == "Failure" && error["errorMessage"] as? String == "asked to fail")
            #expect(posted[2].path == "/2018-06-01/runtime/invocation/req-3/error")
            #expect(posted[2].body.contains("Runtime.InvalidEvent"))
            let logged = lines.withLockedValue { $0 }
            #expect(logged.contains { $0.hasSuffix("\treq-1\tINFO\tpath /hello") })
            #expect(logged.contains { $0.contains("\treq-2\tERROR\tFailure: asked to fail") })
            stop.raise()
            try await loop.value
            #expect(api.posted.count == 3, "nothing is posted after the stop")
        }
    }

    @Test("an error while building the handler is posted to init/error and thrown")
    func initError() async throws {
        let api = FakeRuntimeAPI()
        try await api.serve { address in
            var environment = runtimeEnvironment
            environment["AWS_LAMBDA_RUNTIME_API"] = address
            let runtime = try LambdaRuntime(environment: environment, output: { _ in })
            await #expect(throws: LambdaRuntime.InitializationError.self) {
                _ = try await runtime.start { _ in throw LambdaRuntime.InitializationError(type: "Runtime.HandlerNotFound", message: "no such handler") }
            }
            let posted = try await api.waitForPosts(1)
            #expect(posted.first?.path == "/2018-06-01/runtime/init/error")
            #expect(posted.first?.errorType == "Runtime.HandlerNotFound")
            #expect(posted.first?.body.contains("no such handler") == true)
        }
    }

    @Test("missing credentials are an init error, not a crash")
    func missingCredentials() async throws {
        let api = FakeRuntimeAPI()
        try await api.serve { address in
            let runtime = try LambdaRuntime(environment: ["AWS_LAMBDA_RUNTIME_API": address, "AWS_REGION": "us-east-1"], output: { _ in })
            await #expect(throws: LambdaRuntime.InitializationError.self) { _ = try await runtime.start { EchoHandler(services: $0) } }
            let posted = try await api.waitForPosts(1)
            #expect(posted.first?.body.contains("AWS_ACCESS_KEY_ID") == true)
        }
    }

    @Test("outside Lambda there is no Runtime API to speak to")
    func noRuntimeAPI() {
        #expect(throws: LambdaRuntime.InitializationError.self) { try LambdaRuntime(environment: [:]) }
    }
}

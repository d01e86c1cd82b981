import Formwork
import FormworkRuntime
import FormworkSimulator
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Answers after `delay` seconds, or throws when asked to.
struct BehaviourHandler: APIHandler {
    let services: Services
    init(services: Services) { self.services = services }

    func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse {
        if request.path == "/fail" { throw BehaviourError.requested }
        if request.path == "/malformed" { return APIGatewayResponse(statusCode: 1000, body: "out of range") }
        if request.resource == "/counted" { return try .json(["count": await Invocations.shared.next()]) }
        if request.resource == "/tasks/{taskId}" {
            return APIGatewayResponse(statusCode: 200, body: String(decoding: try JSONCoding.encode(request), as: UTF8.self))
        }
        if let delay = request.queryStringParameters["delay"].flatMap(Double.init) { try await Task.sleep(for: .seconds(delay)) }
        context.logger.info("answered \(request.path)")
        return try .json(["path": request.path, "resource": request.resource, "table": services.environment["TABLE"] ?? ""])
    }
}

enum BehaviourError: Error { case requested }

/// Counts invocations, so a test can tell a cached answer from a fresh one.
actor Invocations {
    static let shared = Invocations()
    private var count = 0
    func next() -> Int {
        count += 1
        return count
    }
}

/// Public routes to a function with a one-second timeout and a reserved concurrency of one.
func behaviourArchitecture() -> Architecture {
    let table = Table("Things", partitionKey: .string("id")).named("behaviour-things")
    let function = Function("Behaviour", handler: BehaviourHandler.self)
        .timeout(.seconds(1))
        .reservedConcurrency(1)
        .environment("TABLE", table)
    let patient = Function("Patient", handler: BehaviourHandler.self).timeout(.seconds(5))
    return Architecture("Behaviour") {
        table
        function
        patient
        RestAPI("Api", stage: "test", authorizer: nil) {
            Route(.get, "/things/{id}", to: function, access: .public)
            Route(.get, "/things/special", to: function, access: .public)
            Route(.any, "/things/{proxy+}", to: function, access: .public)
            Route(.get, "/slow", to: function, access: .public)
            Route(.get, "/patient", to: patient, access: .public)
            Route(.get, "/fail", to: function, access: .public)
            Route(.get, "/malformed", to: function, access: .public)
            Route(.get, "/tasks/{taskId}", to: function, access: .public)
            Route(.get, "/counted", to: function, access: .public).cache(ttl: .seconds(30), varyingBy: ["page"])
        }
        .cache(.cluster(size: "0.5"))
    }
}

@Suite("Functions in process and the site behind the distribution")
struct SiteAndFunctionTests {
    @Test("literal segments before parameters before greedy paths; ANY matches any method")
    func matching() async throws {
        try await withHost(architecture: behaviourArchitecture()) { host async throws in
            let api = APICaller(host: host)
            #expect(try await api.call(.get, "/things/special").json["resource"] as? String == "/things/special")
            #expect(try await api.call(.get, "/things/42").json["resource"] as? String == "/things/{id}")
            #expect(try await api.call(.delete, "/things/42/parts/7").json["resource"] as? String == "/things/{proxy+}")
            let thing = try await api.call(.get, "/things/42")
            #expect(thing.json["table"] as? String == "behaviour-things")
            #expect(thing.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == nil, "an API without CORS sends no origin")
        }
    }

    @Test("a function slower than the integration timeout gets 504 from the gateway")
    func integrationTimeout() async throws {
        try await withHost(architecture: behaviourArchitecture(), integrationTimeout: .seconds(1)) { host in
            let reply = try await APICaller(host: host).call(.get, "/patient?delay=2")
            #expect(reply.status == 504 && reply.json["message"] as? String == "Endpoint request timed out")
        }
    }

    @Test("the route cache answers from the cache for the route's TTL, keyed by the query parameters it varies by")
    func routeCache() async throws {
        try await withHost(architecture: behaviourArchitecture()) { host in
            let api = APICaller(host: host)
            let first = try await api.call(.get, "/counted?page=1").json["count"] as? Int
            #expect(try await api.call(.get, "/counted?page=1").json["count"] as? Int == first, "cached")
            #expect(try await api.call(.get, "/counted?page=2").json["count"] as? Int != first, "another key")
            try await host.simulator.advanceClock(by: 31)
            #expect(try await api.call(.get, "/counted?page=1").json["count"] as? Int != first, "expired on the simulator's clock")
        }
    }

    @Test("a timeout and an unhandled error give 502 and are logged; reserved concurrency gives 429")
    func invocationRules() async throws {
        try await withHost(architecture: behaviourArchitecture()) { host in
            let api = APICaller(host: host)
            let slow = try await api.call(.get, "/slow?delay=3")
            #expect(slow.status == 502 && slow.json["message"] as? String == "Internal server error")
            let failed = try await api.call(.get, "/fail")
            #expect(failed.status == 502)
            let lines = try host.simulator.functions.logs.lines("/aws/lambda/Behaviour").map(\.message)
            #expect(lines.contains("Task timed out after 1.00 seconds"))
            #expect(lines.contains { $0.contains("Unhandled error: requested") })
            #expect(lines.filter { $0.hasPrefix("REPORT") }.count == 2)
            #expect(lines.filter { $0.contains("Init Duration") }.count == 1, "only the cold start reports an init duration")
            #expect(try await api.call(.get, "/malformed").status == 502, "a status API Gateway cannot send is a malformed integration answer")

            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2 { group.addTask { try await api.call(.get, "/slow?delay=0.5").status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.sorted() == [200, 429])
        }
    }

    @Test("the proxy event has the shape `sam local generate-event apigateway aws-proxy` gives")
    func proxyEventShape() async throws {
        let fixture = packageRoot.appendingPathComponent("Tests/FormworkSimulatorTests/Fixtures/aws-proxy-event.json")
        let fixtureData = try Data(contentsOf: fixture)
        try await withHost(architecture: behaviourArchitecture()) { host in
            let reference = try #require(try JSONSerialization.jsonObject(with: fixtureData) as? [String: Any])
            let reply = try await APICaller(host: host).call(.get, "/tasks/t-1?foo=bar", headers: [.userAgent: "Custom User Agent String"])
            let event = reply.json
            #expect(Set(event.keys) == Set(reference.keys), "top-level keys")
            #expect(event["httpMethod"] as? String == reference["httpMethod"] as? String)
            #expect(event["path"] as? String == reference["path"] as? String)
            #expect(event["resource"] as? String == reference["resource"] as? String)
            #expect(event["pathParameters"] as? [String: String] == ["taskId": "t-1"], "SAM's template always says proxy; API Gateway names the parameter")
            #expect(event["queryStringParameters"] as? [String: String] == reference["queryStringParameters"] as? [String: String])
            #expect(
                event["multiValueQueryStringParameters"] as? [String: [String]] == reference["multiValueQueryStringParameters"] as? [String: [String]])
            let context = try #require(event["requestContext"] as? [String: Any])
            let referenceContext = try #require(reference["requestContext"] as? [String: Any])
            #expect(Set(referenceContext.keys).isSubset(of: Set(context.keys)), "requestContext keys: \(Set(referenceContext.keys).subtracting(context.keys))")
            for key in ["httpMethod", "resourcePath", "stage", "protocol"] {
                #expect(context[key] as? String == (referenceContext[key] as? String).map { $0 == "dev" ? "test" : $0 }, "\(key)")
            }
            #expect(context["path"] as? String == "/test/tasks/t-1")
            #expect(context["requestTimeEpoch"] is Int && context["requestTime"] is String)
            let identity = try #require(context["identity"] as? [String: Any])
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
            #expect(context["requestTime"] as? String == formatter.string(from: simulatorStart))
            for moment in [951_782_400.0, 1_709_164_799, 4_107_542_399, 0, 1_796_115_599] {
                try await host.simulator.setClock(to: Date(timeIntervalSince1970: moment))
                let later = try await APICaller(host: host).call(.get, "/tasks/t-1").json["requestContext"] as? [String: Any]
                #expect(later?["requestTime"] as? String == formatter.string(from: Date(timeIntervalSince1970: moment)), "\(moment)")
            }
            #expect(identity["sourceIp"] as? String == "127.0.0.1" && identity["userAgent"] as? String == "Custom User Agent String")
        }
    }

    @Test("the site: root object, SPA fallback, security headers, ETag and 304, gzip, config.json, no traversal")
    func site() async throws {
        try await withHost { host in
            func get(_ path: String, _ headers: HTTPFields = [:]) async throws -> (Int, HTTPFields, ByteBuffer) {
                try await host.client.execute(uri: path, method: .get, headers: headers) { ($0.status.code, $0.headers, $0.body) }
            }
            let (status, headers, body) = try await get("/")
            #expect(status == 200 && headers[.contentType] == "text/html")
            #expect(String(buffer: body).contains("<html"))
            #expect(headers[HTTPField.Name("Strict-Transport-Security")!]?.hasPrefix("max-age=") == true)
            #expect(headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'self'") == true)
            #expect(headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            let etag = try #require(headers[.eTag])
            #expect(try await get("/", [.ifNoneMatch: etag]).0 == 304)

            let (spa, _, spaBody) = try await get("/tasks/some-client-route")
            #expect(spa == 200 && String(buffer: spaBody) == String(buffer: body), "client-side routes answer with index.html")
            let (script, scriptHeaders, _) = try await get("/app.js", [.acceptEncoding: "gzip, deflate"])
            #expect(script == 200 && scriptHeaders[.contentEncoding] == "gzip")
            #expect(scriptHeaders[.contentType] == "application/javascript")

            let (_, _, configBody) = try await get("/config.json")
            let config = try JSONSerialization.jsonObject(with: Data(buffer: configBody)) as? [String: String]
            #expect(config?["userPoolId"] == host.poolId && config?["apiUrl"] == host.simulator.gateways[0].url)
            #expect(config?["siteUrl"] == host.simulator.endpoint)

            for traversal in ["/../Package.swift", "/%2e%2e/Package.swift", "/..%2FPackage.swift"] {
                let (_, _, leaked) = try await get(traversal)
                #expect(!String(buffer: leaked).contains("PackageDescription"), "\(traversal)")
            }
        }
    }
}

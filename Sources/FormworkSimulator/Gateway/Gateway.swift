import Formwork
import FormworkRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// One REST API of the model with API Gateway's semantics: routing, the Cognito authorizer,
/// request validation, the payload limit, stage throttling, CORS and the Lambda proxy
/// integration to the function host. Served at `/restapis/{apiId}/{stage}/_user_request_/…`
/// and at the short form `/_aws/execute-api/{apiId}/{stage}/…`.
public final class Gateway: Sendable {
    let api: RestAPI
    let apiId: String
    let architecture: Architecture
    let naming: LocalResources
    let functions: FunctionHost
    let pool: UserPoolEngine?
    let clock: SimulatorClock
    let endpoint: @Sendable () -> String
    let table: RouteTable
    let throttling: Bool
    let integrationTimeout: Duration
    private let authorizerCache = NIOLockedValueBox<[String: (claims: [String: String], until: Date)]>([:])
    private let responseCache = NIOLockedValueBox<[String: (answer: Outgoing, until: Date)]>([:])
    private let bucket: NIOLockedValueBox<(tokens: Double, at: Date?)>

    /// API Gateway's largest request payload.
    static let payloadLimit = 10 * 1024 * 1024
    /// How long the Cognito authorizer's result is cached per token (API Gateway's default).
    static let authorizerTTL: TimeInterval = 300

    init(
        api: RestAPI, architecture: Architecture, naming: LocalResources, functions: FunctionHost, identity: IdentityService,
        clock: SimulatorClock, throttling: Bool = true, integrationTimeout: Duration = .seconds(29),
        endpoint: @escaping @Sendable () -> String
    ) {
        self.api = api
        self.throttling = throttling
        self.integrationTimeout = integrationTimeout
        self.architecture = architecture
        self.naming = naming
        self.functions = functions
        self.clock = clock
        self.endpoint = endpoint
        apiId = naming.value(of: api.id, .name, in: architecture, endpoint: "") ?? api.name
        let poolId = api.authorizer.flatMap { architecture.resolve($0, as: UserPool.self) }.map(naming.userPoolId)
        pool = identity.pools.first { $0.poolId == poolId }
        table = RouteTable(routes: api.routes)
        bucket = NIOLockedValueBox((Double(api.throttling.burst), nil))
    }

    /// The invoke URL of the stage.
    public var url: String { naming.value(of: api.id, .url, in: architecture, endpoint: endpoint()) ?? endpoint() }

    /// A request as the gateway sees it, whatever route of the host it came by.
    struct Incoming {
        var method: String
        var path: String
        var query: [(String, String)]
        var headers: [(String, String)]
        var body: Data
        var sourceIp: String
    }

    /// An answer as the gateway sends it.
    struct Outgoing {
        var status: Int
        var headers: [(String, String)]
        var body: Data
    }

    // MARK: Answering

    func answer(_ request: Incoming) async -> Outgoing {
        var answer = await respond(request)
        answer.headers.append(("x-amzn-RequestId", UUID().uuidString.lowercased()))
        return answer
    }

    /// The answer: the function's own, or the gateway's (which carries the CORS origin, as the
    /// template's gateway responses make API Gateway send it). A proxy integration's answer gets
    /// no CORS header from API Gateway: the function must send it.
    private func respond(_ request: Incoming) async -> Outgoing {
        let (answer, fromFunction) = await route(request)
        guard !fromFunction else { return answer }
        var gatewayAnswer = answer
        gatewayAnswer.headers += corsHeaders()
        return gatewayAnswer
    }

    private func route(_ request: Incoming) async -> (outgoing: Outgoing, fromFunction: Bool) {
        if request.method == "OPTIONS", api.cors != nil, table.lookup(method: "ANY", path: request.path).isResource {
            return (Outgoing(status: 204, headers: preflightHeaders(), body: Data()), false)
        }
        guard case .found(let match) = table.lookup(method: request.method, path: request.path) else {
            return (Self.message(403, "Missing Authentication Token", errorType: "MissingAuthenticationTokenException"), false)
        }
        if request.body.count > Self.payloadLimit { return (Self.message(413, "Request Too Long"), false) }
        guard !throttling || takeToken() else { return (Self.message(429, "Too Many Requests"), false) }
        var claims: [String: String]?
        if !match.route.isPublic {
            guard let token = Self.header("authorization", in: request), let verified = authorize(token) else {
                return (Self.message(401, "Unauthorized"), false)
            }
            claims = verified
        }
        if let schema = match.route.body, !Self.bodyConforms(request.body, to: schema) {
            return (Self.message(400, "Invalid request body", errorType: "BadRequestException"), false)
        }
        guard let function = architecture.resolve(match.route.function, as: Function.self) else {
            return (Self.message(500, "Internal server error"), false)
        }
        let cacheKey = cacheKey(request, match: match)
        if let cacheKey, let cached = responseCache.withLockedValue({ $0[cacheKey] }), cached.until > clock.now() {
            return (cached.answer, true)
        }
        let event = proxyEvent(request, match: match, claims: claims)
        let outcome = await FunctionHost.race(after: integrationTimeout) { await self.functions.invoke(function, event: event) }
        switch outcome {
        case .none: return (Self.message(504, "Endpoint request timed out"), false)
        case .some(.failure): return (Self.message(500, "Internal server error"), false)
        case .some(.success(.failure(.throttled))): return (Self.message(429, "Too Many Requests"), false)
        case .some(.success(.failure)): return (Self.message(502, "Internal server error"), false)
        case .some(.success(.success(let response))):
            let answer = Self.outgoing(response)
            if let cacheKey, let ttl = match.route.cacheTTL, (200..<300).contains(answer.status) {
                let until = clock.now().addingTimeInterval(TimeInterval(ttl.seconds))
                responseCache.withLockedValue { $0[cacheKey] = (answer, until) }
            }
            return (answer, true)
        }
    }

    /// The route cache's key, when the API has a cache and the route a TTL: the path, the
    /// caller's token, and the query parameters the route varies by (GET only).
    private func cacheKey(_ request: Incoming, match: RouteTable.Match) -> String? {
        guard api.cache != nil, match.route.cacheTTL != nil, request.method == "GET" else { return nil }
        let varying = match.route.cacheKeyQueryParameters.sorted().map { name in
            "\(name)=\(request.query.first { $0.0 == name }?.1 ?? "")"
        }
        return ([request.path, Self.header("authorization", in: request) ?? ""] + varying).joined(separator: "\n")
    }

    /// The stage's token bucket, refilled at the model's rate on the simulator's clock.
    private func takeToken() -> Bool {
        let now = clock.now()
        let rate = api.throttling.rate, burst = Double(api.throttling.burst)
        return bucket.withLockedValue { bucket in
            if let at = bucket.at { bucket.tokens = min(burst, bucket.tokens + max(0, now.timeIntervalSince(at)) * rate) }
            bucket.at = now
            guard bucket.tokens >= 1 else { return false }
            bucket.tokens -= 1
            return true
        }
    }

    /// The Cognito authorizer: the ID token's claims as API Gateway passes them on, or `nil`.
    func authorize(_ header: String) -> [String: String]? {
        let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : header
        let now = clock.now()
        if let cached = authorizerCache.withLockedValue({ $0[token] }), cached.until > now { return cached.claims }
        guard let pool, let claims = pool.verifiedIdTokenClaims(token) else { return nil }
        let strings = Self.claimStrings(claims)
        let expiry = (claims["exp"] as? Int).map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? now
        authorizerCache.withLockedValue { cache in
            if cache.count > 10_000 { cache = cache.filter { $0.value.until > now } }
            cache[token] = (strings, min(now.addingTimeInterval(Self.authorizerTTL), expiry))
        }
        return strings
    }

    /// Claims in API Gateway's form: strings, groups comma-joined, times as Java's `Date` prints them.
    static func claimStrings(_ claims: [String: Any]) -> [String: String] {
        var strings: [String: String] = [:]
        for (name, value) in claims {
            switch value {
            case let groups as [String]: strings[name] = groups.joined(separator: ",")
            case let number as Int where ["exp", "iat", "auth_time"].contains(name):
                strings[name] = UTCText.javaDate(Date(timeIntervalSince1970: TimeInterval(number)))
            case let flag as Bool: strings[name] = flag ? "true" : "false"
            default: strings[name] = "\(value)"
            }
        }
        return strings
    }

    static func bodyConforms(_ body: Data, to schema: JSONSchema) -> Bool {
        guard let value = try? JSONCoding.decode(JSONValue.self, from: body) else { return false }
        return schema.problems(in: value).isEmpty
    }

    // MARK: The proxy integration

    func proxyEvent(_ request: Incoming, match: RouteTable.Match, claims: [String: String]?) -> APIGatewayRequest {
        var headers: [String: String] = [:]
        var multiHeaders: [String: [String]] = [:]
        for (name, value) in request.headers {
            headers[name] = headers[name].map { "\($0),\(value)" } ?? value
            multiHeaders[name, default: []].append(value)
        }
        var query: [String: String] = [:]
        var multiQuery: [String: [String]] = [:]
        for (name, value) in request.query {
            query[name] = value
            multiQuery[name, default: []].append(value)
        }
        let now = clock.now()
        let requestId = UUID().uuidString.lowercased()
        let isText = request.body.isEmpty || String(data: request.body, encoding: .utf8) != nil
        let body: String? =
            request.body.isEmpty ? nil : isText ? String(decoding: request.body, as: UTF8.self) : request.body.base64EncodedString()
        let context = APIGatewayRequest.RequestContext(
            accountId: naming.account, apiId: apiId, resourcePath: match.route.path, httpMethod: request.method,
            path: "/\(api.stage)\(request.path)", stage: api.stage, requestId: requestId,
            requestTimeEpoch: Int64(now.timeIntervalSince1970 * 1000),
            identity: .init(sourceIp: request.sourceIp, userAgent: Self.header("user-agent", in: request)),
            authorizer: claims.map { .init(claims: $0) })
        var event = APIGatewayRequest(
            resource: match.route.path, path: request.path, httpMethod: request.method, headers: headers, multiValueHeaders: multiHeaders,
            queryStringParameters: query, multiValueQueryStringParameters: multiQuery, pathParameters: match.pathParameters,
            stageVariables: [:], requestContext: context, body: body, isBase64Encoded: !isText)
        event.requestContext.resourceId = String(apiId.prefix(6))
        event.requestContext.requestTime = UTCText.requestTime(now)
        event.requestContext.protocol = "HTTP/1.1"
        event.requestContext.domainName = endpoint().replacingOccurrences(of: "http://", with: "")
        return event
    }

    static func outgoing(_ response: APIGatewayResponse) -> Outgoing {
        var headers: [(String, String)] = []
        var named = Set<String>()
        for (name, values) in response.multiValueHeaders.sorted(by: { $0.key < $1.key }) {
            for value in values { headers.append((name, value)) }
            named.insert(name.lowercased())
        }
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) where !named.contains(name.lowercased()) {
            headers.append((name, value))
        }
        let text = response.body ?? ""
        let decoded = response.isBase64Encoded ? Data(base64Encoded: text) : Data(text.utf8)
        // API Gateway answers a malformed integration response with 502.
        guard (100...599).contains(response.statusCode), let body = decoded else { return message(502, "Internal server error") }
        if !headers.contains(where: { $0.0.lowercased() == "content-type" }) { headers.append(("Content-Type", "application/json")) }
        return Outgoing(status: response.statusCode, headers: headers, body: body)
    }

    static func message(_ status: Int, _ text: String, errorType: String? = nil) -> Outgoing {
        var headers = [("Content-Type", "application/json")]
        if let errorType { headers.append(("x-amzn-ErrorType", errorType)) }
        return Outgoing(status: status, headers: headers, body: JSONBody.data(["message": text]))
    }

    static func header(_ name: String, in request: Incoming) -> String? {
        request.headers.first { $0.0.lowercased() == name }?.1
    }

    // MARK: CORS

    /// The origin browsers may call from: a literal, or the local site for a distribution.
    var allowedOrigin: String? {
        guard let cors = api.cors else { return nil }
        switch cors.origin {
        case .literal(let origin): return origin
        case .distribution: return endpoint()
        }
    }

    private func corsHeaders() -> [(String, String)] {
        guard let origin = allowedOrigin else { return [] }
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    }

    private func preflightHeaders() -> [(String, String)] {
        guard let cors = api.cors else { return [] }
        return [
            ("Access-Control-Allow-Methods", api.corsAllowedMethods.joined(separator: ",")),
            ("Access-Control-Allow-Headers", cors.headers.joined(separator: ",")),
            ("Access-Control-Max-Age", String(cors.maxAge.seconds)),
        ]
    }
}

extension Gateway: SimulatedService {
    func addRoutes(to router: Router<BasicRequestContext>) {
        let prefixes = ["/restapis/\(apiId)/\(api.stage)/_user_request_", "/_aws/execute-api/\(apiId)/\(api.stage)"]
        for prefix in prefixes {
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] {
                guard let httpMethod = HTTPRequest.Method(method) else { continue }
                let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { [self] request, context in
                    try await self.serve(request, context: context, prefix: prefix)
                }
                router.on(RouterPath(prefix + "/**"), method: httpMethod, use: handler)
                router.on(RouterPath(prefix), method: httpMethod, use: handler)
            }
        }
    }

    private func serve(_ request: Request, context: BasicRequestContext, prefix: String) async throws -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.payloadLimit + 1)
        } catch {
            var tooLong = Self.message(413, "Request Too Long")
            tooLong.headers += corsHeaders() + [("x-amzn-RequestId", UUID().uuidString.lowercased())]
            return Self.response(tooLong)
        }
        let rawPath = String(request.uri.path.dropFirst(prefix.count))
        let query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let incoming = Incoming(
            method: request.method.rawValue, path: rawPath.isEmpty ? "/" : rawPath, query: query,
            headers: request.headers.map { ($0.name.canonicalName, $0.value) }, body: Data(buffer: body),
            sourceIp: Self.sourceIp(request.headers))
        return Self.response(await answer(incoming))
    }

    /// The caller's address: the first of `X-Forwarded-For` when a proxy set it, else loopback.
    static func sourceIp(_ headers: HTTPFields) -> String {
        let forwarded = HTTPField.Name("X-Forwarded-For").flatMap { headers[$0] }
        return forwarded?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "127.0.0.1"
    }

    static func response(_ outgoing: Outgoing) -> Response {
        var headers = HTTPFields()
        for (name, value) in outgoing.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        return Response(status: .init(code: outgoing.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: outgoing.body)))
    }
}

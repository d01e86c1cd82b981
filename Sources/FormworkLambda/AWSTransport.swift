import AsyncHTTPClient
import FormworkRuntime
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One AWS service as the clients reach it: its signing name, the host prefix of its
/// endpoints, and the id that names its endpoint override (`AWS_ENDPOINT_URL_<ID>`).
public struct AWSService: Sendable, Hashable {
    /// The SigV4 signing name.
    public var signingName: String
    /// The endpoint's host prefix: `https://<prefix>.<region>.amazonaws.com`.
    public var endpointPrefix: String
    /// The service id of the SDKs' endpoint settings, upper-cased with `_` for spaces.
    public var environmentId: String

    public static let dynamoDB = AWSService(signingName: "dynamodb", endpointPrefix: "dynamodb", environmentId: "DYNAMODB")
    public static let cognitoIdentityProvider = AWSService(
        signingName: "cognito-idp", endpointPrefix: "cognito-idp", environmentId: "COGNITO_IDENTITY_PROVIDER")
    public static let sns = AWSService(signingName: "sns", endpointPrefix: "sns", environmentId: "SNS")
    public static let sesV2 = AWSService(signingName: "ses", endpointPrefix: "email", environmentId: "SESV2")
    public static let ssm = AWSService(signingName: "ssm", endpointPrefix: "ssm", environmentId: "SSM")
}

/// Where the clients send requests and with which credentials, read from the process
/// environment as the AWS SDKs read it.
public struct AWSConfiguration: Sendable {
    /// The region (`AWS_REGION`, else `AWS_DEFAULT_REGION`).
    public var region: String
    /// The credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
    public var credentials: AWSCredentials
    /// `AWS_ENDPOINT_URL`: every service's endpoint, unless a service's own is set.
    public var endpointURL: String?
    /// `AWS_ENDPOINT_URL_<SERVICE>`, by service id.
    public var serviceEndpointURLs: [String: String]
    /// How many attempts a throttled or failed request gets, the first included.
    public var maximumAttempts = 3

    /// The configuration; nil fields of the environment fall back as the SDKs do.
    ///
    /// - Throws: ``AWSConfigurationError`` when the region or the credentials are missing.
    public init(environment: [String: String]) throws {
        guard let region = [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw AWSConfigurationError(message: "Neither AWS_REGION nor AWS_DEFAULT_REGION is set.")
        }
        guard let credentials = AWSCredentials(environment: environment) else {
            throw AWSConfigurationError(message: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set.")
        }
        self.region = region
        self.credentials = credentials
        endpointURL = environment["AWS_ENDPOINT_URL"].flatMap { $0.isEmpty ? nil : $0 }
        serviceEndpointURLs = environment.reduce(into: [:]) { urls, entry in
            if entry.key.hasPrefix("AWS_ENDPOINT_URL_"), !entry.value.isEmpty { urls[String(entry.key.dropFirst(17))] = entry.value }
        }
    }

    /// A configuration with every part given.
    public init(region: String, credentials: AWSCredentials, endpointURL: String? = nil, serviceEndpointURLs: [String: String] = [:]) {
        self.region = region
        self.credentials = credentials
        self.endpointURL = endpointURL
        self.serviceEndpointURLs = serviceEndpointURLs
    }

    /// The endpoint of `service`: its own override, the global one, or AWS's.
    public func endpoint(of service: AWSService) -> String {
        let chosen = serviceEndpointURLs[service.environmentId] ?? endpointURL ?? "https://\(service.endpointPrefix).\(region).amazonaws.com"
        return chosen.hasSuffix("/") ? String(chosen.dropLast()) : chosen
    }
}

/// The environment does not say where or as whom to call AWS.
public struct AWSConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// An AWS error answer, by the service's exception name, before a client maps it to its
/// interface's error type.
public struct AWSErrorAnswer: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status.
    public var status: Int
    /// The exception name (`ConditionalCheckFailedException`, `NotFound`).
    public var code: String
    /// The message.
    public var message: String
    /// The answer's JSON, when it was JSON (DynamoDB's `CancellationReasons` live there).
    public var body: Data

    public var description: String { "\(code): \(message)" }

    /// Throttling: the codes the AWS SDKs retry with backoff.
    public var isThrottling: Bool {
        Self.throttlingCodes.contains(code) || status == 429
    }

    /// Worth another attempt: throttling, or a service that was briefly unavailable.
    public var isRetryable: Bool { isThrottling || [500, 502, 503, 504].contains(status) }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]
}

/// Signed requests over AsyncHTTPClient, with bounded, jittered retries of throttling and
/// of transient failures.
public final class AWSTransport: Sendable {
    /// The answer of a request that succeeded.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data
    }

    let configuration: AWSConfiguration
    let client: HTTPClient
    let clock: Clock
    let pause: @Sendable (Duration) async throws -> Void

    /// A transport on AsyncHTTPClient's shared client.
    public init(
        configuration: AWSConfiguration, client: HTTPClient = .shared, clock: Clock = .system,
        pause: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.configuration = configuration
        self.client = client
        self.clock = clock
        self.pause = pause
    }

    /// Sends a signed request to `service` and returns a 2xx answer.
    ///
    /// - Throws: ``AWSErrorAnswer`` for an error answer (after the retries), or with the code
    ///   `NetworkingError` when the service could not be reached; ``AWSConfigurationError`` for an
    ///   endpoint that is not a URL.
    public func send(
        _ service: AWSService, method: String = "POST", path: String = "/", query: String = "", headers: [(String, String)], body: Data,
        errorCode: (Answer) -> (code: String, message: String)
    ) async throws -> Answer {
        var attempt = 1
        while true {
            do {
                let answer = try await sendOnce(service, method: method, path: path, query: query, headers: headers, body: body)
                if (200..<300).contains(answer.status) { return answer }
                let (code, message) = errorCode(answer)
                throw AWSErrorAnswer(status: answer.status, code: code, message: message, body: answer.body)
            } catch let error as AWSErrorAnswer where error.isRetryable && attempt < configuration.maximumAttempts {
                try await pause(Self.backoff(attempt: attempt, throttled: error.isThrottling))
            } catch let error as HTTPClientError where attempt < configuration.maximumAttempts && Self.isTransient(error) {
                try await pause(Self.backoff(attempt: attempt, throttled: false))
            } catch let error where !(error is AWSErrorAnswer) && !(error is AWSConfigurationError) && !(error is CancellationError) {
                // The clients map answers by code; an unreachable service gets one too.
                throw AWSErrorAnswer(
                    status: 0, code: "NetworkingError",
                    message: "\(service.signingName) could not be reached at \(configuration.endpoint(of: service)): \(error)", body: Data())
            }
            attempt += 1
        }
    }

    /// Full jitter: a random pause up to `base · 2^(attempt-1)`, capped at 20 s; throttling
    /// starts from a longer base, as the SDKs' standard mode does.
    static func backoff(attempt: Int, throttled: Bool) -> Duration {
        let base = throttled ? 0.5 : 0.1
        let ceiling = min(20, base * pow(2, Double(attempt - 1)))
        return .milliseconds(Int64(Double.random(in: 0...ceiling) * 1000))
    }

    static func isTransient(_ error: HTTPClientError) -> Bool {
        [HTTPClientError.remoteConnectionClosed, .connectTimeout, .readTimeout, .deadlineExceeded].contains(error)
    }

    private func sendOnce(_ service: AWSService, method: String, path: String, query: String, headers: [(String, String)], body: Data)
        async throws -> Answer
    {
        let endpoint = configuration.endpoint(of: service)
        guard let base = URL(string: endpoint), let host = base.host else {
            throw AWSConfigurationError(message: "The endpoint '\(endpoint)' of \(service.signingName) is not a URL.")
        }
        let defaultPort = base.scheme == "http" ? 80 : 443
        let hostName = host.contains(":") ? "[\(host)]" : host
        let hostHeader = base.port.flatMap { $0 == defaultPort ? nil : "\(hostName):\($0)" } ?? hostName
        let basePath = base.path == "/" ? "" : base.path
        let fullPath = basePath + path
        var signable = SignableRequest(
            method: method, path: fullPath, query: query, headers: [(name: "Host", value: hostHeader)] + headers.map { (name: $0.0, value: $0.1) },
            body: body)
        SigV4(credentials: configuration.credentials, region: configuration.region, service: service.signingName).sign(&signable, at: clock.now())
        var request = HTTPClientRequest(url: "\(base.scheme ?? "https")://\(hostHeader)\(fullPath)\(query.isEmpty ? "" : "?" + query)")
        request.method = HTTPMethod(rawValue: method)
        for header in signable.headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Answer(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Data(buffer: collected))
    }
}

extension AWSTransport.Answer {
    /// The first value of the header `name`, compared without case.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The exception name and message of a JSON-protocol error: `__type` (the part after
    /// `#`), or the `x-amzn-ErrorType` header (the part before `:`); `message` or `Message`.
    public var jsonError: (code: String, message: String) {
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        let raw = (object["__type"] as? String) ?? header("x-amzn-ErrorType") ?? (object["code"] as? String) ?? "HTTP\(status)"
        let code = String(raw.split(separator: "#").last ?? Substring(raw)).split(separator: ":").first.map(String.init) ?? raw
        let message = (object["message"] as? String) ?? (object["Message"] as? String) ?? String(decoding: body.prefix(500), as: UTF8.self)
        return (code, message)
    }

    /// The code and message of a query-protocol (XML) error: `<Code>` and `<Message>`.
    public var xmlError: (code: String, message: String) {
        let text = String(decoding: body, as: UTF8.self)
        return (XMLText.first("Code", in: text) ?? "HTTP\(status)", XMLText.first("Message", in: text).map(XMLText.unescape) ?? text)
    }
}

/// The little XML reading the query protocol's answers need: the text of the first element
/// with a name.
public enum XMLText {
    /// The text of the first `<element>…</element>` in `text`, as written (not unescaped).
    public static func first(_ element: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(element)>"), let close = text.range(of: "</\(element)>", range: open.upperBound..<text.endIndex) else {
            return nil
        }
        return String(text[open.upperBound..<close.lowerBound])
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// JSON bodies built from and read into plain dictionaries.
enum WireJSON {
    static func data(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    static func object(_ data: Data) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// A `Codable` value (an item, an attribute value) as a JSON object for a body.
    static func plain<Value: Encodable>(_ value: Value) -> Any {
        (try? JSONEncoder().encode(value)).flatMap { try? JSONSerialization.jsonObject(with: $0, options: [.fragmentsAllowed]) } ?? NSNull()
    }

    /// A part of an answer decoded as `Value` (an item, a key).
    static func decode<Value: Decodable>(_ type: Value.Type, from object: Any?) throws -> Value? {
        guard let object, !(object is NSNull) else { return nil }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed])
        return try JSONDecoder().decode(Value.self, from: data)
    }
}

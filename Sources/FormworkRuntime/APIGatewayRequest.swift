import Foundation

/// The event API Gateway sends a function through a REST API's Lambda proxy integration
/// (payload format 1.0), with AWS's field names.
///
/// Dictionaries that AWS sends as `null` when empty (headers, query string, path
/// parameters, stage variables) decode as empty dictionaries and encode back as `null`.
public struct APIGatewayRequest: Codable, Equatable, Sendable {
    /// The resource template that matched, such as `/tasks/{taskId}`.
    public var resource: String
    /// The request path, such as `/tasks/42`.
    public var path: String
    /// The HTTP method, such as `GET`.
    public var httpMethod: String
    /// Headers with one value each (the last one when a header repeats).
    public var headers: [String: String]
    /// Headers with every value they were sent with.
    public var multiValueHeaders: [String: [String]]
    /// Query string parameters with one value each (the last one when a name repeats).
    public var queryStringParameters: [String: String]
    /// Query string parameters with every value they were sent with.
    public var multiValueQueryStringParameters: [String: [String]]
    /// Values of the path template's variables, such as `["taskId": "42"]`.
    public var pathParameters: [String: String]
    /// The stage's variables.
    public var stageVariables: [String: String]
    /// Who called, through which API and stage, and what the authorizer found.
    public var requestContext: RequestContext
    /// The body as sent, or base64 text when ``isBase64Encoded`` is `true`.
    public var body: String?
    /// Whether ``body`` is base64 text.
    public var isBase64Encoded: Bool

    /// Creates a request, as the simulated gateway does.
    public init(
        resource: String,
        path: String,
        httpMethod: String,
        headers: [String: String] = [:],
        multiValueHeaders: [String: [String]] = [:],
        queryStringParameters: [String: String] = [:],
        multiValueQueryStringParameters: [String: [String]] = [:],
        pathParameters: [String: String] = [:],
        stageVariables: [String: String] = [:],
        requestContext: RequestContext,
        body: String? = nil,
        isBase64Encoded: Bool = false
    ) {
        self.resource = resource
        self.path = path
        self.httpMethod = httpMethod
        self.headers = headers
        self.multiValueHeaders = multiValueHeaders
        self.queryStringParameters = queryStringParameters
        self.multiValueQueryStringParameters = multiValueQueryStringParameters
        self.pathParameters = pathParameters
        self.stageVariables = stageVariables
        self.requestContext = requestContext
        self.body = body
        self.isBase64Encoded = isBase64Encoded
    }

    private enum CodingKeys: String, CodingKey {
        case resource, path, httpMethod, headers, multiValueHeaders, queryStringParameters
        case multiValueQueryStringParameters, pathParameters, stageVariables, requestContext
        case body, isBase64Encoded
    }

    /// Decodes an event as API Gateway sends it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        resource = try container.decode(String.self, forKey: .resource)
        path = try container.decode(String.self, forKey: .path)
        httpMethod = try container.decode(String.self, forKey: .httpMethod)
        headers = try container.decodeDictionary([String: String].self, forKey: .headers)
        multiValueHeaders = try container.decodeDictionary([String: [String]].self, forKey: .multiValueHeaders)
        queryStringParameters = try container.decodeDictionary([String: String].self, forKey: .queryStringParameters)
        multiValueQueryStringParameters = try container.decodeDictionary(
            [String: [String]].self, forKey: .multiValueQueryStringParameters)
        pathParameters = try container.decodeDictionary([String: String].self, forKey: .pathParameters)
        stageVariables = try container.decodeDictionary([String: String].self, forKey: .stageVariables)
        requestContext = try container.decode(RequestContext.self, forKey: .requestContext)
        body = try container.decodeIfPresent(String.self, forKey: .body)
        isBase64Encoded = try container.decodeIfPresent(Bool.self, forKey: .isBase64Encoded) ?? false
    }

    /// Encodes the event as API Gateway sends it, empty dictionaries as `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(resource, forKey: .resource)
        try container.encode(path, forKey: .path)
        try container.encode(httpMethod, forKey: .httpMethod)
        try container.encodeDictionaryOrNull(headers, forKey: .headers)
        try container.encodeDictionaryOrNull(multiValueHeaders, forKey: .multiValueHeaders)
        try container.encodeDictionaryOrNull(queryStringParameters, forKey: .queryStringParameters)
        try container.encodeDictionaryOrNull(multiValueQueryStringParameters, forKey: .multiValueQueryStringParameters)
        try container.encodeDictionaryOrNull(pathParameters, forKey: .pathParameters)
        try container.encodeDictionaryOrNull(stageVariables, forKey: .stageVariables)
        try container.encode(requestContext, forKey: .requestContext)
        try container.encode(body, forKey: .body)
        try container.encode(isBase64Encoded, forKey: .isBase64Encoded)
    }
}

extension APIGatewayRequest {
    /// The value of the header `name`, matched without regard to case.
    public func header(_ name: String) -> String? {
        headers.headerValue(named: name)
    }

    /// The claims of the caller's token as the Cognito authorizer passed them; empty when
    /// the route has no authorizer.
    public var claims: [String: String] {
        requestContext.authorizer?.claims ?? [:]
    }

    /// The body's bytes: base64-decoded when ``isBase64Encoded`` is `true`.
    ///
    /// - Throws: ``RequestBodyError/missing`` when there is no body,
    ///   ``RequestBodyError/invalidBase64`` when the base64 text does not decode.
    public func bodyData() throws -> Data {
        guard let body else { throw RequestBodyError.missing }
        guard isBase64Encoded else { return Data(body.utf8) }
        guard let data = Data(base64Encoded: body) else { throw RequestBodyError.invalidBase64 }
        return data
    }

    /// Decodes the JSON body with ``JSONCoding/makeDecoder()``.
    ///
    /// - Throws: ``RequestBodyError`` when there is no readable body, `DecodingError`
    ///   when the JSON does not match `Body`. Both are the caller's fault (a 400).
    public func decodeBody<Body: Decodable>(as type: Body.Type) throws -> Body {
        try JSONCoding.decode(type, from: bodyData())
    }
}

/// Why a request body could not be read.
public enum RequestBodyError: Error, Equatable, Sendable {
    /// The request has no body.
    case missing
    /// The body is marked as base64 but is not valid base64 text.
    case invalidBase64
}

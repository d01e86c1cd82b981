import Foundation

/// What a function returns to API Gateway through a REST API's Lambda proxy integration.
///
/// ```swift
/// let created = try APIGatewayResponse.json(status: 201, task)
/// let missing = APIGatewayResponse.error(status: 404, code: "NotFound", message: "No such task.")
/// ```
public struct APIGatewayResponse: Codable, Equatable, Sendable {
    /// The `Content-Type` of JSON responses: `application/json; charset=utf-8`.
    public static let jsonContentType = "application/json; charset=utf-8"
    /// The environment variable that holds the origin browsers may call a function's API from;
    /// the host sets it for functions behind an API with CORS.
    public static let allowOriginVariable = "CORS_ALLOW_ORIGIN"

    /// The response with `Access-Control-Allow-Origin: origin` (and `Vary: Origin`), when an
    /// origin is given: what a proxy integration must send itself for a browser to read it.
    public func allowingOrigin(_ origin: String?) -> APIGatewayResponse {
        guard let origin, !origin.isEmpty else { return self }
        var response = self
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        return response
    }

    /// The HTTP status code.
    public var statusCode: Int
    /// Headers with one value each.
    public var headers: [String: String]
    /// Headers with several values each.
    public var multiValueHeaders: [String: [String]]
    /// The body, or base64 text when ``isBase64Encoded`` is `true`.
    public var body: String?
    /// Whether ``body`` is base64 text.
    public var isBase64Encoded: Bool

    /// Creates a response.
    public init(
        statusCode: Int,
        headers: [String: String] = [:],
        multiValueHeaders: [String: [String]] = [:],
        body: String? = nil,
        isBase64Encoded: Bool = false
    ) {
        self.statusCode = statusCode
        self.headers = headers
        self.multiValueHeaders = multiValueHeaders
        self.body = body
        self.isBase64Encoded = isBase64Encoded
    }

    private enum CodingKeys: String, CodingKey {
        case statusCode, headers, multiValueHeaders, body, isBase64Encoded
    }

    /// Decodes a proxy response; absent or `null` header maps are empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        statusCode = try container.decode(Int.self, forKey: .statusCode)
        headers = try container.decodeDictionary([String: String].self, forKey: .headers)
        multiValueHeaders = try container.decodeDictionary([String: [String]].self, forKey: .multiValueHeaders)
        body = try container.decodeIfPresent(String.self, forKey: .body)
        isBase64Encoded = try container.decodeIfPresent(Bool.self, forKey: .isBase64Encoded) ?? false
    }

    /// Encodes a proxy response, leaving out empty header maps and a missing body.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(statusCode, forKey: .statusCode)
        if !headers.isEmpty { try container.encode(headers, forKey: .headers) }
        if !multiValueHeaders.isEmpty { try container.encode(multiValueHeaders, forKey: .multiValueHeaders) }
        try container.encodeIfPresent(body, forKey: .body)
        try container.encode(isBase64Encoded, forKey: .isBase64Encoded)
    }

    /// The value of the header `name`, matched without regard to case.
    public func header(_ name: String) -> String? {
        headers.headerValue(named: name)
    }
}

extension APIGatewayResponse {
    /// A response whose body is `value` encoded with ``JSONCoding/makeEncoder()`` (ISO 8601
    /// dates, sorted keys) and whose `Content-Type` is ``jsonContentType``. A `Content-Type`
    /// in `headers`, in any spelling, is kept instead.
    public static func json<Body: Encodable>(
        status: Int = 200,
        _ value: Body,
        headers: [String: String] = [:]
    ) throws -> APIGatewayResponse {
        let body = String(decoding: try JSONCoding.encode(value), as: UTF8.self)
        var allHeaders = headers
        if allHeaders.headerValue(named: "Content-Type") == nil {
            allHeaders["Content-Type"] = jsonContentType
        }
        return APIGatewayResponse(statusCode: status, headers: allHeaders, body: body)
    }

    /// An error response with the API's error body.
    public static func error(status: Int, _ error: APIErrorBody, headers: [String: String] = [:]) -> APIGatewayResponse {
        do {
            return try json(status: status, error, headers: headers)
        } catch {
            // An `APIErrorBody` holds only strings, which always encode; this is a last resort.
            var allHeaders = headers
            allHeaders["Content-Type"] = jsonContentType
            return APIGatewayResponse(statusCode: status, headers: allHeaders, body: #"{"message":"Internal error"}"#)
        }
    }

    /// An error response with the body `{ "message", "code", "details"? }`.
    ///
    /// ```swift
    /// APIGatewayResponse.error(status: 400, code: "ValidationFailed", message: "The task is not valid.",
    ///                         details: [.init(field: "title", problem: "must be 1–200 characters")])
    /// ```
    public static func error(
        status: Int,
        code: String,
        message: String,
        details: [APIErrorBody.Detail]? = nil,
        headers: [String: String] = [:]
    ) -> APIGatewayResponse {
        error(status: status, APIErrorBody(message: message, code: code, details: details), headers: headers)
    }

    /// A `204 No Content` response without a body.
    public static func noContent(headers: [String: String] = [:]) -> APIGatewayResponse {
        APIGatewayResponse(statusCode: 204, headers: headers)
    }
}

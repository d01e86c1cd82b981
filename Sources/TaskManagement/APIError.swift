import FormworkRuntime

/// A failure to answer with a 4xx (or a configuration 500): thrown anywhere in a route,
/// turned into the API's error body by the ``Router``.
struct APIError: Error, Equatable, Sendable {
    var status: Int
    var code: String
    var message: String
    var details: [APIErrorBody.Detail]?

    /// The response for this error.
    var response: APIGatewayResponse {
        .error(status: status, code: code, message: message, details: details)
    }

    /// `400 ValidationFailed` with one detail per problem.
    static func validation(_ details: [APIErrorBody.Detail]) -> APIError {
        APIError(status: 400, code: "ValidationFailed", message: "The request is not valid.", details: details)
    }

    /// `400 ValidationFailed` for one field.
    static func invalid(_ field: String, _ problem: String) -> APIError {
        validation([.init(field: field, problem: problem)])
    }

    /// `400 MalformedJSON`.
    static let malformedJSON = APIError(
        status: 400, code: "MalformedJSON", message: "The request body is not valid JSON.")

    /// `400 MissingBody`.
    static let missingBody = APIError(status: 400, code: "MissingBody", message: "The request needs a JSON body.")

    /// `403 Forbidden`.
    static func forbidden(_ message: String = "You are not allowed to do this.") -> APIError {
        APIError(status: 403, code: "Forbidden", message: message)
    }

    /// `404 NotFound`.
    static func notFound(_ message: String) -> APIError {
        APIError(status: 404, code: "NotFound", message: message)
    }

    /// `409 VersionConflict`.
    static let versionConflict = APIError(
        status: 409, code: "VersionConflict",
        message: "The task has changed since it was read; read it again and retry with its current version.")

    /// `429 Throttled`.
    static let throttled = APIError(status: 429, code: "Throttled", message: "Too many requests; retry later.")
}

extension APIGatewayResponse {
    /// `401 {"message":"Unauthorized"}`, as API Gateway's Cognito authorizer answers.
    static var unauthorized: APIGatewayResponse {
        APIGatewayResponse(
            statusCode: 401, headers: ["Content-Type": jsonContentType], body: #"{"message":"Unauthorized"}"#)
    }
}

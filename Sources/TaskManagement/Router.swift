import FormworkRuntime
import Foundation

/// Who may call a route.
enum Access: Sendable {
    /// Anyone, signed in or not.
    case everyone
    /// Any signed-in user (a `sub` claim); otherwise `401`.
    case signedIn
    /// Members of the `Admin` group; other signed-in users get `403`.
    case admin
}

/// One route of a handler: a method and a resource template (`/tasks/{taskId}`), who may
/// call it, and what answers it.
struct Route: Sendable {
    var method: String
    var resource: String
    var access: Access
    var action: @Sendable (RouteRequest) async throws -> APIGatewayResponse

    init(
        _ method: String, _ resource: String, _ access: Access,
        _ action: @escaping @Sendable (RouteRequest) async throws -> APIGatewayResponse
    ) {
        self.method = method
        self.resource = resource
        self.access = access
        self.action = action
    }
}

/// A request on its way to a route: the event, the invocation's context, the caller, and
/// the path parameters.
struct RouteRequest: Sendable {
    var event: APIGatewayRequest
    var context: HandlerContext
    var pathParameters: [String: String]
    private var signedInCaller: Caller?

    init(event: APIGatewayRequest, context: HandlerContext, pathParameters: [String: String], caller: Caller?) {
        self.event = event
        self.context = context
        self.pathParameters = pathParameters
        self.signedInCaller = caller
    }

    /// The signed-in caller.
    ///
    /// - Throws: `401` when there is none (only on a route open to everyone).
    func caller() throws -> Caller {
        guard let signedInCaller else { throw APIError(status: 401, code: "Unauthorized", message: "Unauthorized") }
        return signedInCaller
    }

    /// The path parameter `name`.
    ///
    /// - Throws: `404` when it is missing, empty or longer than any id the API hands out.
    func pathParameter(_ name: String) throws -> String {
        guard let value = pathParameters[name], !value.isEmpty, value.utf8.count <= 512 else {
            throw APIError.notFound("No such resource.")
        }
        return value
    }

    /// The query string parameter `name`; an empty value counts as absent.
    func query(_ name: String) -> String? {
        guard let value = event.queryStringParameters[name], !value.isEmpty else { return nil }
        return value
    }

    /// Where the handler's log lines go.
    var logger: any HandlerLogger { context.logger }
}

/// Dispatches an API Gateway request to the route for its method and resource, checks
/// access, and turns every failure into the API's error body.
enum Router {
    /// The response of the matching route, or the error response.
    static func respond(
        to event: APIGatewayRequest, context: HandlerContext, routes: [Route]
    ) async -> APIGatewayResponse {
        let method = event.httpMethod.uppercased()
        guard let (candidates, pathParameters) = match(event, routes: routes) else {
            return APIError.notFound("No route for \(method) \(event.path).").response
        }
        guard let route = candidates.first(where: { $0.method == method }) else {
            let allowed = candidates.map(\.method).joined(separator: ", ")
            var response = APIError(
                status: 405, code: "MethodNotAllowed", message: "\(method) is not allowed on \(event.resource)."
            ).response
            response.headers["Allow"] = allowed
            return response
        }

        let caller = Caller(event)
        switch route.access {
        case .everyone:
            break
        case .signedIn, .admin:
            guard let caller else { return .unauthorized }
            if route.access == .admin, !caller.isAdmin {
                return APIError.forbidden("Only administrators may do this.").response
            }
        }

        let request = RouteRequest(event: event, context: context, pathParameters: pathParameters, caller: caller)
        do {
            return try await route.action(request)
        } catch {
            return response(for: error, logger: context.logger)
        }
    }

    /// The answer to a failure: the ``APIError`` itself, `429` for throttling, `500` for
    /// a missing setting or anything unexpected (logged).
    static func response(for error: any Error, logger: any HandlerLogger) -> APIGatewayResponse {
        switch error {
        case let error as APIError:
            if error.status == 401 { return .unauthorized }
            return error.response
        case let error as MissingEnvironmentVariable:
            logger.error("Configuration error: \(error)")
            return APIError(status: 500, code: "ConfigurationError", message: error.description).response
        case TableError.provisionedThroughputExceeded, DirectoryError.tooManyRequests:
            logger.warning("Throttled: \(error)")
            return APIError.throttled.response
        default:
            logger.error("Request failed: \(error)")
            return APIError(status: 500, code: "InternalError", message: "The request could not be completed.")
                .response
        }
    }

    /// The routes whose resource matches the request, and the path parameters: by the
    /// event's `resource` template first, by its `path` when no template matches.
    private static func match(_ event: APIGatewayRequest, routes: [Route]) -> ([Route], [String: String])? {
        let byResource = routes.filter { $0.resource == event.resource }
        if !byResource.isEmpty { return (byResource, event.pathParameters) }
        for route in routes {
            if let parameters = parameters(of: event.path, template: route.resource) {
                return (routes.filter { $0.resource == route.resource }, parameters)
            }
        }
        return nil
    }

    /// The values of `template`'s `{name}` segments in `path`, or `nil` when it does not fit.
    private static func parameters(of path: String, template: String) -> [String: String]? {
        let pathSegments = path.split(separator: "/", omittingEmptySubsequences: true)
        let templateSegments = template.split(separator: "/", omittingEmptySubsequences: true)
        guard pathSegments.count == templateSegments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, pattern) in zip(pathSegments, templateSegments) {
            if pattern.hasPrefix("{"), pattern.hasSuffix("}") {
                parameters[String(pattern.dropFirst().dropLast())] =
                    String(segment).removingPercentEncoding
                    ?? String(segment)
            } else if segment != pattern {
                return nil
            }
        }
        return parameters
    }
}

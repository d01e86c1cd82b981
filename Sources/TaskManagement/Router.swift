import FormworkRuntime
import Foundation

/// A route's work, given the request.
typealias RouteAction = @Sendable (RouteRequest) async throws -> APIGatewayResponse

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
    ///
    /// With `users`, every signed-in call is checked against the caller's record in the Users
    /// table (one read per request): a disabled user gets `403 AccountDisabled`, and the role
    /// there, not the token's groups, decides what the caller may do, so a change of role or
    /// a disabled account takes effect at once rather than when the token expires.
    static func respond(
        to event: APIGatewayRequest, context: HandlerContext, routes: [HandlerRoute], allowOrigin: String?, users: UserStore?,
        actions: [HandlerRoute: RouteAction]
    ) async -> APIGatewayResponse {
        let checked: APIGatewayRequest
        do {
            checked = try await currentAccess(of: event, users: users)
        } catch {
            return response(for: error, logger: context.logger).allowingOrigin(allowOrigin)
        }
        return await answer(to: checked, context: context, routes: routes, actions: actions).allowingOrigin(allowOrigin)
    }

    /// The request with the caller's groups as the Users table has them now.
    ///
    /// - Throws: `403 AccountDisabled` for a disabled user.
    private static func currentAccess(of event: APIGatewayRequest, users: UserStore?) async throws -> APIGatewayRequest {
        guard let users, let caller = Caller(event), let record = try await users.get(caller.userId) else { return event }
        guard record.enabled else {
            throw APIError(status: 403, code: "AccountDisabled", message: "Your account is disabled; ask an administrator.")
        }
        guard record.role != caller.role else { return event }
        var current = event
        let others = caller.groups.filter { group in !Role.allCases.contains { $0.groupName == group } }
        current.requestContext.authorizer?.claims["cognito:groups"] = (others + [record.role.groupName]).joined(separator: ",")
        return current
    }

    private static func answer(
        to event: APIGatewayRequest, context: HandlerContext, routes: [HandlerRoute], actions: [HandlerRoute: RouteAction]
    ) async -> APIGatewayResponse {
        let method = event.httpMethod.uppercased()
        switch RouteDispatch.route(for: event, in: routes) {
        case .notFound:
            return APIError.notFound("No route for \(method) \(event.path).").response
        case .methodNotAllowed(let allowed):
            var response = APIError(status: 405, code: "MethodNotAllowed", message: "\(method) is not allowed on \(event.resource).").response
            response.headers["Allow"] = allowed.joined(separator: ", ")
            return response
        case .unauthorized:
            return .unauthorized
        case .forbidden:
            return APIError.forbidden("Only administrators may do this.").response
        case .route(let route, let pathParameters):
            guard let action = actions[route] else {
                context.logger.error("No action for the declared route \(route)")
                return APIError(status: 500, code: "InternalError", message: "The request could not be completed.").response
            }
            let request = RouteRequest(event: event, context: context, pathParameters: pathParameters, caller: Caller(event))
            do {
                return try await action(request)
            } catch {
                return response(for: error, logger: context.logger)
            }
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
        case TableError.provisionedThroughputExceeded, DirectoryError.tooManyRequests,
            TableError.other(code: "ThrottlingException", _), TableError.other(code: "RequestLimitExceeded", _):
            logger.warning("Throttled: \(error)")
            return APIError.throttled.response
        default:
            logger.error("Request failed: \(error)")
            return APIError(status: 500, code: "InternalError", message: "The request could not be completed.")
                .response
        }
    }
}

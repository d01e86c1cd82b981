import Foundation

/// Who may call a route of a handler.
public enum RouteCallers: Sendable, Hashable, CustomStringConvertible {
    /// Anyone, without a token.
    case anyone
    /// Any signed-in user (a `sub` claim).
    case signedIn
    /// Signed-in members of one of these groups (the `cognito:groups` claim).
    case groups([String])

    public var description: String {
        switch self {
        case .anyone: "anyone"
        case .signedIn: "any signed-in user"
        case .groups(let names): "members of \(names.joined(separator: ", "))"
        }
    }
}

/// One route a handler answers: a method, a resource template (`/tasks/{taskId}`, a final
/// greedy `{proxy+}`) and who may call it. The blueprint's routes to the handler's function are
/// checked against these, and ``RouteDispatch`` enforces the callers wherever the handler runs.
public struct HandlerRoute: Sendable, Hashable, CustomStringConvertible {
    /// The HTTP method, upper case (`ANY` matches every method).
    public var method: String
    /// The resource template.
    public var path: String
    /// Who may call it.
    public var callers: RouteCallers

    /// A route.
    public init(_ method: String, _ path: String, _ callers: RouteCallers) {
        self.method = method.uppercased()
        self.path = path
        self.callers = callers
    }

    /// `METHOD /path`.
    public var description: String { "\(method) \(path)" }
}

/// An API handler that declares the routes it answers.
public protocol RoutedAPIHandler: APIHandler {
    /// Every route the handler answers.
    static var routes: [HandlerRoute] { get }
}

/// Finds the route an API Gateway event is for and checks its caller, the same way in the
/// simulator and in Lambda (where API Gateway's Cognito authorizer checks only the token).
public enum RouteDispatch {
    /// Where an event goes.
    public enum Outcome: Equatable, Sendable {
        /// The route, with the path parameters of the event's path.
        case route(HandlerRoute, pathParameters: [String: String])
        /// No route has the event's resource.
        case notFound
        /// Routes have the resource, but none answers the method; their methods.
        case methodNotAllowed(allowed: [String])
        /// The route needs a signed-in caller and the event has none.
        case unauthorized
        /// The caller is signed in but in none of the route's groups.
        case forbidden
    }

    /// The route of `routes` that `event` is for, after checking who calls.
    public static func route(for event: APIGatewayRequest, in routes: [HandlerRoute]) -> Outcome {
        let method = event.httpMethod.uppercased()
        var candidates = routes.filter { $0.path == event.resource }
        var parameters = event.pathParameters
        if candidates.isEmpty {
            for route in routes {
                if let found = Self.parameters(of: event.path, template: route.path) {
                    candidates = routes.filter { $0.path == route.path }
                    parameters = found
                    break
                }
            }
        }
        guard !candidates.isEmpty else { return .notFound }
        guard let route = candidates.first(where: { $0.method == method }) ?? candidates.first(where: { $0.method == "ANY" }) else {
            return .methodNotAllowed(allowed: candidates.map(\.method))
        }
        let claims = event.claims
        let signedIn = !(claims["sub"]?.trimmingCharacters(in: .whitespaces).isEmpty ?? true)
        switch route.callers {
        case .anyone: break
        case .signedIn:
            guard signedIn else { return .unauthorized }
        case .groups(let allowed):
            guard signedIn else { return .unauthorized }
            let groups = event.requestContext.authorizer?.groups ?? []
            guard groups.contains(where: allowed.contains) else { return .forbidden }
        }
        return .route(route, pathParameters: parameters)
    }

    /// The values of `template`'s `{name}` and final `{name+}` segments in `path`, or `nil`.
    static func parameters(of path: String, template: String) -> [String: String]? {
        let pathSegments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let templateSegments = template.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var parameters: [String: String] = [:]
        for (index, pattern) in templateSegments.enumerated() {
            if pattern.hasPrefix("{"), pattern.hasSuffix("+}") {
                guard index < pathSegments.count else { return nil }
                let rest = pathSegments[index...].joined(separator: "/")
                parameters[String(pattern.dropFirst().dropLast(2))] = rest.removingPercentEncoding ?? rest
                return parameters
            }
            guard index < pathSegments.count else { return nil }
            let segment = pathSegments[index]
            if pattern.hasPrefix("{"), pattern.hasSuffix("}") {
                parameters[String(pattern.dropFirst().dropLast())] = segment.removingPercentEncoding ?? segment
            } else if segment != pattern {
                return nil
            }
        }
        return pathSegments.count == templateSegments.count ? parameters : nil
    }
}

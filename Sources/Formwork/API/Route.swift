import FormworkRuntime

/// HTTP methods a route can answer.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable, Comparable {
    case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"
    case head = "HEAD", options = "OPTIONS", any = "ANY"

    public static func < (lhs: HTTPMethod, rhs: HTTPMethod) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Who may call a route.
public enum RouteAccess: Sendable, Hashable {
    /// Signed-in users through the API's authorizer; if groups are listed, members of one of them.
    case signedIn(groups: [UserGroup])
    /// Anyone, without a token. Must be stated; a route is never public by omission.
    case `public`
}

/// One route of a REST API: method, path, target function, who may call it and what body it takes.
///
/// ```swift
/// Route(.post, "/tasks", to: taskFunction, groups: [admin], body: CreateTask.schema)
/// Route(.get, "/health", to: dashboard, access: .public)
/// ```
public struct Route: Sendable {
    /// The method.
    public var method: HTTPMethod
    /// The path, with `{name}` parameters and an optional final greedy `{name+}`.
    public var path: String
    /// The target function.
    public var function: ResourceID
    let functionDeclaredAt: SourceLocation
    let functionAnswersRequests: Bool
    /// The routes the target function's handler declares, when it declares them.
    let handlerRoutes: [HandlerRoute]?
    let handlerName: String
    /// Who may call it.
    public var access: RouteAccess
    /// The body schema the API validates before invoking the function.
    public var body: JSONSchema?
    /// How long responses are cached, when the API has a cache.
    public var cacheTTL: TimeSpan?
    /// Query-string parameters that are part of the cache key (the caller's token always is).
    public var cacheKeyQueryParameters: [String] = []
    /// A one-line description for the OpenAPI document.
    public var summary: String
    /// Where the route was written.
    public var location: SourceLocation

    /// Creates a route for signed-in users, optionally restricted to groups.
    public init(
        _ method: HTTPMethod, _ path: String, to function: Function, groups: [UserGroup] = [],
        body: JSONSchema? = nil, summary: String = "",
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.init(
            method, path, to: function, access: .signedIn(groups: groups), body: body, summary: summary,
            location: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }

    /// Creates a route with explicit access (use `.public` for routes without a token).
    public init(
        _ method: HTTPMethod, _ path: String, to function: Function, access: RouteAccess,
        body: JSONSchema? = nil, summary: String = "",
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.init(
            method, path, to: function, access: access, body: body, summary: summary,
            location: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }

    private init(
        _ method: HTTPMethod, _ path: String, to function: Function, access: RouteAccess,
        body: JSONSchema?, summary: String, location: SourceLocation
    ) {
        self.method = method
        self.path = path
        self.function = function.id
        self.functionDeclaredAt = function.location
        self.functionAnswersRequests = function.apiHandler != nil
        self.handlerRoutes = (function.apiHandler as? any RoutedAPIHandler.Type)?.routes
        self.handlerName = function.handlerName
        self.access = access
        self.body = body
        self.summary = summary
        self.location = location
    }

    /// Caches responses for `ttl` when the API has a cache cluster (nil: not cached). The cache
    /// key is the path, the caller's `Authorization` header (so one user never receives another's
    /// cached answer) and the query-string parameters listed in `varyingBy`.
    public func cache(ttl: TimeSpan?, varyingBy queryParameters: [String] = []) -> Route {
        var copy = self
        copy.cacheTTL = ttl
        copy.cacheKeyQueryParameters = queryParameters
        return copy
    }

    /// The groups allowed, empty when any signed-in user (or anyone, for public routes) may call.
    public var groups: [UserGroup] {
        if case .signedIn(let groups) = access { return groups }
        return []
    }

    /// Whether the route needs no token.
    public var isPublic: Bool { access == .public }

    /// The path's segments.
    public var segments: [PathSegment] { PathSegment.parse(path) }

    /// Who may call, as a handler declares it.
    var callers: RouteCallers {
        switch access {
        case .public: .anyone
        case .signedIn(let groups) where groups.isEmpty: .signedIn
        case .signedIn(let groups): .groups(groups.map(\.name))
        }
    }
}

/// One segment of a route path.
public enum PathSegment: Sendable, Hashable {
    case literal(String)
    case parameter(String)
    case greedy(String)

    /// Splits a path into segments (`/tasks/{taskId}` → literal, parameter).
    public static func parse(_ path: String) -> [PathSegment] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { part in
            if part.hasPrefix("{") && part.hasSuffix("+}") { return .greedy(String(part.dropFirst().dropLast(2))) }
            if part.hasPrefix("{") && part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
    }

    /// The parameter name, for parameter and greedy segments.
    public var parameterName: String? {
        switch self {
        case .literal: nil
        case .parameter(let name), .greedy(let name): name
        }
    }
}

/// Collects the routes of a ``RestAPI``.
@resultBuilder
public enum RouteBuilder {
    public static func buildExpression(_ route: Route) -> [Route] { [route] }
    public static func buildBlock(_ parts: [Route]...) -> [Route] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Route]?) -> [Route] { part ?? [] }
    public static func buildEither(first part: [Route]) -> [Route] { part }
    public static func buildEither(second part: [Route]) -> [Route] { part }
    public static func buildArray(_ parts: [[Route]]) -> [Route] { parts.flatMap { $0 } }
}

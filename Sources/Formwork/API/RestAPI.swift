import FormworkRuntime

/// An API Gateway REST API: routes to functions behind a Cognito authorizer, with request
/// validation, CORS, stage throttling, caching, access logs, tracing, a resource policy and an
/// optional web ACL.
///
/// ```swift
/// RestAPI("Api", stage: env.name, authorizer: users) {
///     Route(.get, "/tasks", to: taskFunction)
///     Route(.post, "/tasks", to: taskFunction, groups: [admin], body: CreateTask.schema)
/// }
/// ```
public struct RestAPI: Resource, Taggable, LocatedSettings {
    public static let kind = ResourceKind.restAPI
    public let name: String
    public let location: SourceLocation
    /// The stage name (usually the environment's name).
    public let stage: String
    /// The user pool whose ID tokens the authorizer accepts.
    public let authorizer: ResourceID?
    let authorizerDeclaredAt: SourceLocation?
    let authorizerGroups: [UserGroup]
    /// The routes, in declaration order.
    public let routes: [Route]
    /// Cross-origin settings.
    public private(set) var cors: CORS?
    /// Stage throttling: steady requests per second and burst.
    public private(set) var throttling = Throttling(rate: 100, burst: 200)
    /// The cache cluster, if any.
    public private(set) var cache: APICache?
    /// How long access logs are kept.
    public private(set) var accessLogRetention = TimeSpan.days(30)
    /// How the access log group is encrypted.
    public private(set) var logEncryption = Encryption.serviceManaged
    /// Whether X-Ray tracing is on.
    public private(set) var tracing = true
    /// Source addresses denied by the resource policy.
    public private(set) var deniedSourceRanges: [String] = []
    /// The web ACL that filters requests, if any.
    public private(set) var firewall: (acl: ResourceID, declaredAt: SourceLocation, at: SourceLocation)?
    var settingLocations: [String: SourceLocation] = [:]

    /// Declares an API whose routes are authorized with `authorizer`'s ID tokens.
    public init(
        _ name: String, stage: String, authorizer: UserPool?,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column,
        @RouteBuilder routes: () -> [Route]
    ) {
        self.name = name
        self.stage = stage
        self.authorizer = authorizer?.id
        self.authorizerDeclaredAt = authorizer?.location
        self.authorizerGroups = authorizer?.groups ?? []
        self.routes = routes()
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    /// Allows browsers on `origin` to call the API; nil allows none.
    public func cors(_ cors: CORS?) -> Self { with { $0.cors = cors } }
    /// Sets stage throttling.
    public func throttling(rate: Double, burst: Int, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        setting("throttling", fileID, filePath, line, column) { $0.throttling = Throttling(rate: rate, burst: burst) }
    }
    /// Adds a cache cluster; routes opt in with ``Route/cache(ttl:)``.
    public func cache(_ cache: APICache?, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        setting("cache", fileID, filePath, line, column) { $0.cache = cache }
    }
    /// Sets access log retention.
    public func accessLogRetention(_ retention: TimeSpan, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column)
        -> Self
    {
        setting("logRetention", fileID, filePath, line, column) { $0.accessLogRetention = retention }
    }
    /// Encrypts the access log group.
    public func logEncryption(_ encryption: Encryption, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column)
        -> Self
    {
        setting("encryption", fileID, filePath, line, column) { $0.logEncryption = encryption }
    }
    /// Turns X-Ray tracing on or off.
    public func tracing(_ on: Bool) -> Self { with { $0.tracing = on } }
    /// Denies requests from these CIDR ranges in the resource policy.
    public func denySourceRanges(_ ranges: [String], fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        setting("deny", fileID, filePath, line, column) { $0.deniedSourceRanges = ranges }
    }
    /// Filters requests with a web ACL; nil filters none (`.firewall(prod ? acl : nil)`).
    public func firewall(_ acl: WebACL?, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        with { api in
            api.firewall = acl.map { ($0.id, $0.location, SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)) }
        }
    }

    public var references: [Reference] {
        var refs: [Reference] = []
        if let authorizer, let declared = authorizerDeclaredAt {
            refs.append(Reference(target: authorizer, targetLocation: declared, purpose: "authorizer", location: location))
        }
        for route in routes {
            refs.append(
                Reference(
                    target: route.function, targetLocation: route.functionDeclaredAt,
                    purpose: "route \(route.method.rawValue) \(route.path)", location: route.location))
        }
        if let firewall {
            refs.append(Reference(target: firewall.acl, targetLocation: firewall.declaredAt, purpose: "firewall", location: firewall.at))
        }
        if let ref = logEncryption.reference(purpose: "encryption", at: location(of: "encryption")) { refs.append(ref) }
        return refs
    }

    public func validate() -> [Diagnostic] {
        RouteRules.check(self)
    }
}

extension Architecture {
    /// The origin browsers may call the function from: the CORS origin of the first API that
    /// routes to it and allows one. With a proxy integration API Gateway adds no CORS header
    /// to a function's answers, so the function's environment carries it
    /// (``APIGatewayResponse/allowOriginVariable``) for the handler to send.
    public func corsOrigin(of function: ResourceID) -> CORS.Origin? {
        resources(of: RestAPI.self).first { api in api.cors != nil && api.routes.contains { $0.function == function } }?.cors?.origin
    }
}

extension RestAPI {
    /// The methods a browser may use across origins: every route's, and `OPTIONS`.
    public var corsAllowedMethods: [String] {
        Set(routes.map(\.method.rawValue)).union(["OPTIONS"]).sorted()
    }
}

/// Cross-origin resource sharing for a REST API.
public struct CORS: Sendable, Hashable {
    /// Where browsers may call from.
    public enum Origin: Sendable, Hashable {
        /// A fixed origin such as `https://app.example.com`.
        case literal(String)
        /// The HTTPS domain of a distribution declared in the architecture.
        case distribution(ResourceID, declaredAt: SourceLocation)
    }

    /// The allowed origin.
    public var origin: Origin
    /// Allowed headers.
    public var headers: [String]
    /// How long browsers may cache the preflight answer.
    public var maxAge: TimeSpan

    /// Allows a distribution's site to call the API.
    public static func site(
        _ distribution: Distribution, headers: [String] = ["Authorization", "Content-Type"],
        maxAge: TimeSpan = .minutes(10)
    ) -> CORS {
        CORS(origin: .distribution(distribution.id, declaredAt: distribution.location), headers: headers, maxAge: maxAge)
    }

    /// Allows a fixed origin.
    public static func origin(
        _ origin: String, headers: [String] = ["Authorization", "Content-Type"],
        maxAge: TimeSpan = .minutes(10)
    ) -> CORS {
        CORS(origin: .literal(origin), headers: headers, maxAge: maxAge)
    }
}

/// Stage throttling limits.
public struct Throttling: Sendable, Hashable {
    /// Steady-state requests per second.
    public var rate: Double
    /// Burst capacity.
    public var burst: Int
}

/// An API cache cluster.
public struct APICache: Sendable, Hashable {
    /// The cluster size in GB, as API Gateway names it ("0.5", "1.6", "6.1", ...).
    public var size: String
    /// Whether cached data is encrypted.
    public var encrypted: Bool

    /// Sizes API Gateway offers.
    public static let sizes = ["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"]

    /// A cache cluster of `size` GB.
    public static func cluster(size: String, encrypted: Bool = true) -> APICache {
        APICache(size: size, encrypted: encrypted)
    }
}

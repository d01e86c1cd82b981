import Formwork

/// The routes of one REST API, matched as API Gateway matches resources: literal segments
/// before `{param}`, `{param}` before `{proxy+}`; a method's own route before `ANY`.
struct RouteTable: Sendable {
    /// The routes with their parsed paths.
    let routes: [(route: Route, segments: [PathSegment])]

    init(routes: [Route]) {
        self.routes = routes.map { ($0, $0.segments) }
    }

    /// A route that matched a path, with its path parameters.
    struct Match {
        var route: Route
        var pathParameters: [String: String]
    }

    /// What a path and method found: a route, a resource without the method, or nothing.
    enum Lookup {
        case found(Match)
        /// The path names a resource, but none of its routes answers the method.
        case methodNotAllowed(resource: String, methods: [HTTPMethod])
        case notFound

        /// Whether the path names a resource of the API (whatever the method).
        var isResource: Bool {
            if case .notFound = self { return false }
            return true
        }
    }

    func lookup(method: String, path: String) -> Lookup {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var best: (rank: [Int], match: Match)?
        var resourcesFound: [String: [HTTPMethod]] = [:]
        for (route, pattern) in routes {
            guard let (rank, parameters) = Self.match(pattern, segments) else { continue }
            resourcesFound[route.path, default: []].append(route.method)
            guard route.method.rawValue == method || route.method == .any else { continue }
            let fullRank = rank + [route.method == .any ? 0 : 1]
            if let current = best, !current.rank.lexicographicallyPrecedes(fullRank) { continue }
            best = (fullRank, Match(route: route, pathParameters: parameters))
        }
        if let best { return .found(best.match) }
        if let (resource, methods) = resourcesFound.sorted(by: { $0.key < $1.key }).first {
            return .methodNotAllowed(resource: resource, methods: methods)
        }
        return .notFound
    }

    /// Whether `pattern` matches `segments`: the rank of each segment (3 literal, 2 parameter,
    /// 1 greedy) and the parameters.
    static func match(_ pattern: [PathSegment], _ segments: [String]) -> ([Int], [String: String])? {
        var rank: [Int] = []
        var parameters: [String: String] = [:]
        for (index, part) in pattern.enumerated() {
            switch part {
            case .literal(let text):
                guard index < segments.count, segments[index] == text else { return nil }
                rank.append(3)
            case .parameter(let name):
                guard index < segments.count, !segments[index].isEmpty else { return nil }
                parameters[name] = segments[index].removingPercentEncoding ?? segments[index]
                rank.append(2)
            case .greedy(let name):
                guard index < segments.count else { return nil }
                let rest = segments[index...].joined(separator: "/")
                parameters[name] = rest.removingPercentEncoding ?? rest
                rank.append(1)
                return (rank, parameters)
            }
        }
        return pattern.count == segments.count ? (rank, parameters) : nil
    }
}

/// The checks on a REST API's routes and stage settings.
enum RouteRules {
    static func check(_ api: RestAPI) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for route in api.routes {
            problems += checkPath(route, api: api)
            problems += checkAccess(route, api: api)
            if !route.functionAnswersRequests {
                problems.append(
                    .error(
                        "route \(route.method.rawValue) \(route.path) targets function '\(route.function.name)', whose handler is not an APIHandler",
                        at: route.location,
                        notes: [.init("function '\(route.function.name)' declared here", at: route.functionDeclaredAt)]))
            }
            if route.body != nil, [.get, .head, .delete, .options].contains(route.method) {
                problems.append(
                    .error(
                        "route \(route.method.rawValue) \(route.path) declares a body schema, but \(route.method.rawValue) requests have no body",
                        at: route.location))
            }
            if let ttl = route.cacheTTL {
                if api.cache == nil {
                    problems.append(
                        .warning(
                            "route \(route.method.rawValue) \(route.path) sets a cache TTL, but API '\(api.name)' has no cache cluster", at: route.location))
                }
                if ttl.seconds > 3600 {
                    problems.append(.error("route \(route.method.rawValue) \(route.path): cache TTL must be at most 3600 seconds", at: route.location))
                }
            }
        }
        problems += conflicts(in: api.routes)
        problems += handlerAgreement(api)
        if api.throttling.rate <= 0 || api.throttling.burst <= 0 || api.throttling.rate > 10_000 || api.throttling.burst > 5_000 {
            problems.append(
                .error("API '\(api.name)': throttling needs a rate of 1 to 10000 requests/s and a burst of 1 to 5000", at: api.location(of: "throttling")))
        }
        if let cache = api.cache, !APICache.sizes.contains(cache.size) {
            problems.append(
                .error("API '\(api.name)': cache size '\(cache.size)' is not one of \(APICache.sizes.joined(separator: ", "))", at: api.location(of: "cache")))
        }
        if !LogRetention.allowedDays.contains(api.accessLogRetention.days) {
            problems.append(
                .error(
                    "API '\(api.name)': access log retention of \(api.accessLogRetention) is not one CloudWatch Logs offers",
                    at: api.location(of: "logRetention")))
        }
        let stageValid =
            !api.stage.isEmpty && api.stage.count <= 128
            && api.stage.unicodeScalars.allSatisfy { NameRules.isASCIILetterOrDigit($0) || $0 == "_" || $0 == "-" }
        if !stageValid {
            problems.append(.error("API '\(api.name)': stage name '\(api.stage)' may contain only letters, digits, '-' and '_'", at: api.location))
        }
        for range in api.deniedSourceRanges where !isCIDR(range) {
            problems.append(.error("API '\(api.name)': '\(range)' is not an IPv4 CIDR range", at: api.location(of: "deny")))
        }
        return problems
    }

    /// A route and the handler it targets say the same: the handler answers the method and
    /// path, with the same callers; and every route a handler declares is routed to it.
    private static func handlerAgreement(_ api: RestAPI) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for route in api.routes {
            guard let declared = route.handlerRoutes else { continue }
            let method = route.method.rawValue
            guard let match = declared.first(where: { $0.path == route.path && $0.method == method }) else {
                let answers = declared.filter { $0.path == route.path }.map(\.method)
                let detail = answers.isEmpty ? "it declares no route \(route.path)" : "it answers \(route.path) with \(answers.joined(separator: ", ")) only"
                problems.append(
                    .error(
                        "route \(method) \(route.path) targets \(route.handlerName), which does not answer it: \(detail)", at: route.location,
                        notes: [.init("function '\(route.function.name)' declared here", at: route.functionDeclaredAt)]))
                continue
            }
            if match.callers != route.callers {
                problems.append(
                    .error(
                        "route \(method) \(route.path) lets \(route.callers) call, but \(route.handlerName) lets \(match.callers) call it",
                        at: route.location))
            }
        }
        var reported: Set<String> = []
        for route in api.routes {
            guard let declared = route.handlerRoutes, reported.insert(route.function.name).inserted else { continue }
            let routed = Set(api.routes.filter { $0.function == route.function }.map { "\($0.method.rawValue) \($0.path)" })
            for missing in declared where !routed.contains(missing.description) {
                problems.append(
                    .error(
                        "\(route.handlerName) answers \(missing), but API '\(api.name)' routes no such request to function '\(route.function.name)'",
                        at: api.location, notes: [.init("function '\(route.function.name)' declared here", at: route.functionDeclaredAt)]))
            }
        }
        return problems
    }

    private static func checkPath(_ route: Route, api: RestAPI) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let label = "route \(route.method.rawValue) \(route.path)"
        guard route.path.hasPrefix("/") else {
            return [.error("\(label): the path must start with '/'", at: route.location)]
        }
        let parts = route.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if route.path != "/" && parts.contains(where: \.isEmpty) {
            problems.append(.error("\(label): the path has an empty segment", at: route.location))
        }
        var names: Set<String> = []
        let segments = route.segments
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .greedy(let name) where index != segments.count - 1:
                problems.append(.error("\(label): the greedy parameter {\(name)+} must be the last segment", at: route.location))
            case .literal(let text) where text.contains("{") || text.contains("}"):
                problems.append(.error("\(label): segment '\(text)' has unbalanced braces; parameters take a whole segment, like {taskId}", at: route.location))
            case .literal(let text) where !text.unicodeScalars.allSatisfy({ NameRules.isASCIILetterOrDigit($0) || "-._~:@".unicodeScalars.contains($0) }):
                problems.append(.error("\(label): segment '\(text)' has characters API Gateway does not allow in a path", at: route.location))
            default: break
            }
            if let name = segment.parameterName {
                if name.isEmpty || !name.unicodeScalars.allSatisfy({ NameRules.isASCIILetterOrDigit($0) || $0 == "_" }) {
                    problems.append(.error("\(label): parameter '{\(name)}' needs a name of letters, digits and '_'", at: route.location))
                }
                if !names.insert(name).inserted {
                    problems.append(.error("\(label): parameter '{\(name)}' appears twice", at: route.location))
                }
            }
        }
        return problems
    }

    private static func checkAccess(_ route: Route, api: RestAPI) -> [Diagnostic] {
        let label = "route \(route.method.rawValue) \(route.path)"
        switch route.access {
        case .public:
            return []
        case .signedIn(let groups):
            guard api.authorizer != nil else {
                return [
                    .error(
                        "\(label) has no authorizer (API '\(api.name)' declares none) and is not marked public; add an authorizer or use access: .public",
                        at: route.location)
                ]
            }
            return groups.filter { group in !api.authorizerGroups.contains(group) }.map { group in
                .error(
                    "\(label) requires group '\(group.name)', which user pool '\(api.authorizer?.name ?? "")' does not declare", at: route.location,
                    notes: [.init("group '\(group.name)' declared here", at: group.location)])
            }
        }
    }

    /// Same method and same shape of path, or two parameter names at one position of one parent.
    static func conflicts(in routes: [Route]) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for (i, a) in routes.enumerated() {
            for b in routes[(i + 1)...] {
                let sa = a.segments, sb = b.segments
                let methodsOverlap = a.method == b.method || a.method == .any || b.method == .any
                if methodsOverlap && sa.count == sb.count && zip(sa, sb).allSatisfy(sameShape) {
                    problems.append(
                        .error(
                            "route \(b.method.rawValue) \(b.path) conflicts with route \(a.method.rawValue) \(a.path): both match the same requests",
                            at: b.location,
                            notes: [.init("route \(a.method.rawValue) \(a.path) declared here", at: a.location)]))
                    continue
                }
                for (index, (x, y)) in zip(sa, sb).enumerated() {
                    let parent = zip(sa.prefix(index), sb.prefix(index)).allSatisfy { $0 == $1 }
                    if parent, x.parameterName != nil, y.parameterName != nil, x != y {
                        problems.append(
                            .error(
                                "route \(b.method.rawValue) \(b.path) has the variable segment '\(Self.text(y))' at position \(index + 1), but route \(a.method.rawValue) \(a.path) has '\(Self.text(x))'; API Gateway allows one variable path part per position",
                                at: b.location, notes: [.init("route \(a.method.rawValue) \(a.path) declared here", at: a.location)]))
                        break
                    }
                    guard sameShape(x, y) else { break }
                }
            }
        }
        return problems
    }

    private static func text(_ segment: PathSegment) -> String {
        switch segment {
        case .literal(let t): t
        case .parameter(let t): "{\(t)}"
        case .greedy(let t): "{\(t)+}"
        }
    }

    private static func sameShape(_ a: PathSegment, _ b: PathSegment) -> Bool {
        switch (a, b) {
        case (.literal(let x), .literal(let y)): x == y
        case (.parameter, .parameter), (.greedy, .greedy): true
        default: false
        }
    }

    static func isCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let bits = Int(parts[1]), (0...32).contains(bits) else { return false }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { Int($0).map { (0...255).contains($0) } == true && !$0.isEmpty }
    }
}

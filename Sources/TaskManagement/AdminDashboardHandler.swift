import FormworkRuntime

/// `GET /admin/dashboard` (administrators only): task totals by status, overdue and
/// due-soon counts, the completion rate and a summary per assignee. Also answers the
/// public `GET /health` with `{"status":"ok"}`.
public struct AdminDashboardHandler: RoutedAPIHandler {
    /// The routes this handler answers, and who may call them.
    public static let routes = [dashboardRoute, reportsRoute, healthRoute]
    static let dashboardRoute = HandlerRoute("GET", "/admin/dashboard", .groups([GroupNames.admin]))
    static let reportsRoute = HandlerRoute("GET", "/admin/reports/{proxy+}", .groups([GroupNames.admin]))
    static let healthRoute = HandlerRoute("GET", "/health", .anyone)

    private let services: Services

    /// Creates the handler with the clients and settings it may use.
    public init(services: Services) {
        self.services = services
    }

    /// Answers one request to the dashboard or the health check.
    public func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse {
        await Router.respond(
            to: request, context: context, routes: Self.routes,
            allowOrigin: services.environment[APIGatewayResponse.allowOriginVariable], users: try? services.userStore(),
            actions: [
                Self.dashboardRoute: { _ in try await dashboard() },
                Self.reportsRoute: { try await report($0) },
                Self.healthRoute: { _ in try .json(["status": "ok"]) },
            ])
    }

    private func dashboard() async throws -> APIGatewayResponse {
        try .json(await currentDashboard())
    }

    /// `GET /admin/reports/{report}`: one part of the dashboard: `totals` (by status, with
    /// overdue, due-soon and completion rate) or `by-assignee` (`{ items: [...] }`).
    private func report(_ request: RouteRequest) async throws -> APIGatewayResponse {
        let name = try request.pathParameter("proxy")
        guard Self.reports.contains(name) else {
            throw APIError.notFound("No report '\(name)'; reports: \(Self.reports.joined(separator: ", ")).")
        }
        let dashboard = try await currentDashboard()
        if name == "by-assignee" { return try .json(["items": dashboard.byAssignee]) }
        return try .json(Dashboard.Summary(dashboard))
    }

    private static let reports = ["totals", "by-assignee"]

    private func currentDashboard() async throws -> Dashboard {
        let tasks = try await services.taskStore().all()
        let users = try await services.userStore().all()
        return Dashboard(tasks: tasks, users: users, now: services.now())
    }
}

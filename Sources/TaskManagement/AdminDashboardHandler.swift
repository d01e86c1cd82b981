import FormworkRuntime

/// `GET /admin/dashboard` (administrators only): task totals by status, overdue and
/// due-soon counts, the completion rate and a summary per assignee. Also answers the
/// public `GET /health` with `{"status":"ok"}`.
public struct AdminDashboardHandler: APIHandler {
    private let services: Services

    /// Creates the handler with the clients and settings it may use.
    public init(services: Services) {
        self.services = services
    }

    /// Answers one request to the dashboard or the health check.
    public func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse {
        await Router.respond(
            to: request, context: context,
            routes: [
                Route("GET", "/admin/dashboard", .admin) { _ in try await dashboard() },
                Route("GET", "/health", .everyone) { _ in try .json(["status": "ok"]) },
            ])
    }

    private func dashboard() async throws -> APIGatewayResponse {
        let tasks = try await services.taskStore().all()
        let users = try await services.userStore().all()
        return try .json(Dashboard(tasks: tasks, users: users, now: services.now()))
    }
}

import FormworkRuntime
import Foundation

/// The task and notification routes: `POST /tasks`, `GET /tasks`, `GET`, `PATCH` and
/// `DELETE /tasks/{taskId}`, `GET /notifications` and
/// `POST /notifications/{notificationId}/read`.
///
/// Administrators see and change every task; a member sees the tasks assigned to them and
/// may change only their status. Every change carries the task's `version`; a stale one
/// answers `409`.
public struct TaskManagementHandler: RoutedAPIHandler {
    /// The routes this handler answers, and who may call them.
    public static let routes = [createTaskRoute, listTasksRoute, getTaskRoute, updateTaskRoute, deleteTaskRoute, listNotificationsRoute, markReadRoute]
    static let createTaskRoute = HandlerRoute("POST", "/tasks", .groups([GroupNames.admin]))
    static let listTasksRoute = HandlerRoute("GET", "/tasks", .signedIn)
    static let getTaskRoute = HandlerRoute("GET", "/tasks/{taskId}", .signedIn)
    static let updateTaskRoute = HandlerRoute("PATCH", "/tasks/{taskId}", .signedIn)
    static let deleteTaskRoute = HandlerRoute("DELETE", "/tasks/{taskId}", .groups([GroupNames.admin]))
    static let listNotificationsRoute = HandlerRoute("GET", "/notifications", .signedIn)
    static let markReadRoute = HandlerRoute("POST", "/notifications/{notificationId}/read", .signedIn)

    let services: Services

    /// Creates the handler with the clients and settings it may use.
    public init(services: Services) {
        self.services = services
    }

    /// Answers one request to a task or notification route.
    public func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse {
        await Router.respond(
            to: request, context: context, routes: Self.routes,
            allowOrigin: services.environment[APIGatewayResponse.allowOriginVariable], users: try? services.userStore(),
            actions: [
                Self.createTaskRoute: { try await createTask($0) },
                Self.listTasksRoute: { try await listTasks($0) },
                Self.getTaskRoute: { try await getTask($0) },
                Self.updateTaskRoute: { try await updateTask($0) },
                Self.deleteTaskRoute: { try await deleteTask($0) },
                Self.listNotificationsRoute: { try await listNotifications($0) },
                Self.markReadRoute: { try await markRead($0) },
            ])
    }

    /// `POST /tasks`: creates a task in `todo` at version 1 and notifies the assignee.
    private func createTask(_ request: RouteRequest) async throws -> APIGatewayResponse {
        let caller = try request.caller()
        let body = try BodyValidation.validate(request.event, against: RequestSchemas.createTask)
        let tasks = try services.taskStore()
        let notifier = try services.notifier(logger: request.logger)
        let now = services.now()

        var problems: [APIErrorBody.Detail] = []
        let deadline = body.date("deadline") ?? now
        if deadline <= now { problems.append(.init(field: "deadline", problem: "must be in the future")) }
        let assigneeId = body.string("assigneeId") ?? ""
        if let problem = try await assigneeProblem(assigneeId) {
            problems.append(.init(field: "assigneeId", problem: problem))
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }

        let task = TaskRecord(
            taskId: UUID().uuidString.lowercased(), title: body.string("title") ?? "",
            description: body.string("description") ?? "", assigneeId: assigneeId, createdBy: caller.userId,
            status: .todo, priority: body.string("priority").flatMap(TaskPriority.init(rawValue:)) ?? .medium,
            deadline: deadline, createdAt: now, updatedAt: now, version: 1)
        try await tasks.create(task)
        await notifier.notifyAfterCommit(assigneeId, .taskAssigned, about: task)
        return try .json(status: 201, task)
    }

    /// `GET /tasks`: a page of tasks in deadline order. Members get their own only.
    private func listTasks(_ request: RouteRequest) async throws -> APIGatewayResponse {
        let caller = try request.caller()
        let limit = try Paging.limit(of: request)
        var status: TaskStatus?
        if let text = request.query("status") {
            guard let parsed = TaskStatus(rawValue: text) else {
                let allowed = TaskStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError.invalid("status", "must be one of: \(allowed)")
            }
            status = parsed
        }
        let assigneeFilter = request.query("assigneeId")
        if let assigneeFilter, assigneeFilter.unicodeScalars.count > 128 {
            throw APIError.invalid("assigneeId", "must be at most 128 characters long")
        }

        let listing: TaskListing
        if !caller.isAdmin {
            if let assigneeFilter, assigneeFilter != caller.userId {
                throw APIError.forbidden("Members may list only their own tasks.")
            }
            listing = .assignee(caller.userId, status: status)
        } else if let assigneeFilter {
            listing = .assignee(assigneeFilter, status: status)
        } else if let status {
            listing = .status(status)
        } else {
            listing = .all
        }

        let tasks = try services.taskStore()
        let startKey = try request.query("nextToken").map(Paging.key(from:))
        if let startKey, !tasks.isValidStartKey(startKey, for: listing) { throw Paging.invalidToken }
        let page: TaskPage
        do {
            page = try await tasks.page(listing, limit: limit, after: startKey)
        } catch TableError.validation(let message) where startKey != nil {
            request.logger.warning("Rejected start key: \(message)")
            throw Paging.invalidToken
        }
        return try .json(ItemList(items: page.tasks, nextToken: try page.lastKey.map(Paging.token(for:))))
    }

    /// `GET /tasks/{taskId}`: for administrators and the assignee; `404` for anyone else.
    private func getTask(_ request: RouteRequest) async throws -> APIGatewayResponse {
        let caller = try request.caller()
        let task = try await visibleTask(try request.pathParameter("taskId"), to: caller)
        return try .json(task)
    }

    /// `DELETE /tasks/{taskId}`.
    private func deleteTask(_ request: RouteRequest) async throws -> APIGatewayResponse {
        let taskId = try request.pathParameter("taskId")
        guard try await services.taskStore().delete(taskId) else { throw APIError.notFound("No such task.") }
        return .noContent()
    }

    /// The task `taskId` if `caller` may see it.
    ///
    /// - Throws: `404` when there is no such task or it is someone else's.
    func visibleTask(_ taskId: String, to caller: Caller) async throws -> TaskRecord {
        guard let task = try await services.taskStore().get(taskId), caller.isAdmin || task.assigneeId == caller.userId
        else { throw APIError.notFound("No such task.") }
        return task
    }

    /// Why `assigneeId` cannot be given a task, or `nil` when it can.
    func assigneeProblem(_ assigneeId: String) async throws -> String? {
        guard let user = try await services.userStore().get(assigneeId) else { return "is not a known user" }
        return user.enabled ? nil : "is a disabled user"
    }
}

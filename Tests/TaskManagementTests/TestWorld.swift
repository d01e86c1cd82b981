import Foundation
import FormworkRuntime
import TaskManagement

/// A caller as the Cognito authorizer describes one.
struct Identity: Sendable {
    var userId: String
    var email: String
    var groups: String

    var claims: [String: String] {
        ["sub": userId, "email": email, "cognito:groups": groups, "cognito:username": email]
    }
}

/// What a handler answered.
struct Reply: Sendable {
    var status: Int
    var headers: [String: String]
    var body: String

    /// The body decoded as `type`.
    func decode<Value: Decodable>(_ type: Value.Type = Value.self) throws -> Value {
        try JSONCoding.decode(type, from: Data(body.utf8))
    }

    /// The body as an error.
    var error: ErrorReply {
        get throws { try decode(ErrorReply.self) }
    }
}

/// The error body; `code` is absent only on a `401`.
struct ErrorReply: Decodable, Equatable {
    var message: String
    var code: String?
    var details: [APIErrorBody.Detail]?

    /// Whether a detail names `field` with `problem`.
    func has(_ field: String, _ problem: String) -> Bool {
        details?.contains(.init(field: field, problem: problem)) ?? false
    }
}

struct UserReply: Decodable, Equatable {
    var userId: String
    var email: String
    var name: String
    var role: String
    var enabled: Bool
    var createdAt: Date
}

struct TaskReply: Decodable, Equatable {
    var taskId: String
    var title: String
    var description: String
    var assigneeId: String
    var createdBy: String
    var status: String
    var priority: String
    var deadline: Date
    var createdAt: Date
    var updatedAt: Date
    var version: Int
}

struct NotificationReply: Decodable, Equatable {
    var notificationId: String
    var userId: String
    var type: String
    var taskId: String
    var message: String
    var createdAt: Date
    var read: Bool
}

struct ListReply<Item: Decodable>: Decodable {
    var items: [Item]
    var nextToken: String?
}

/// The task-management functions over in-memory services, with a clock the test moves.
struct World: Sendable {
    /// 2026-12-01T17:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_796_144_400)

    static let environment = [
        ConfigurationKeys.usersTable: "Users",
        ConfigurationKeys.tasksTable: "Tasks",
        ConfigurationKeys.notificationsTable: "Notifications",
        ConfigurationKeys.notificationsTopicArn: "arn:aws:sns:us-east-1:123456789012:Notifications",
        ConfigurationKeys.userPoolId: "us-east-1_Local",
        ConfigurationKeys.senderEmail: "noreply@example.com",
    ]

    /// The resources of the REST API, as API Gateway matches them.
    static let resources = [
        "/me", "/users", "/users/{userId}", "/tasks", "/tasks/{taskId}", "/notifications",
        "/notifications/{notificationId}/read", "/admin/dashboard", "/health", "/admin/reports/{proxy+}",
    ]

    let tables = InMemoryTables(schemas: [
        "Users": .init(partitionKey: "userId", indexes: [IndexNames.byEmail: .init(partitionKey: "email")]),
        "Tasks": .init(
            partitionKey: "taskId",
            indexes: [
                IndexNames.byAssignee: .init(partitionKey: "assigneeId", sortKey: "deadline"),
                IndexNames.byStatus: .init(partitionKey: "status", sortKey: "deadline"),
            ]),
        "Notifications": .init(
            partitionKey: "notificationId",
            indexes: [IndexNames.byUser: .init(partitionKey: "userId", sortKey: "createdAt")]),
    ])
    let outbox = RecordingNotifications()
    let clock = ManualClock(start: World.start)
    let logger = CollectingLogger()
    let directory: FakeDirectory
    let services: Services

    init(environment: [String: String] = World.environment) {
        let clock = self.clock
        directory = FakeDirectory(clock: clock.clock)
        services = Services(
            tables: tables, notifications: outbox, users: directory, environment: environment,
            clock: clock.clock)
    }

    var now: Date { clock.now }

    var context: HandlerContext {
        HandlerContext(requestId: "request-1", functionName: "TaskManagement", deadline: now.addingTimeInterval(30), logger: logger)
    }

    // MARK: - Calling

    /// Sends `method path` through the function that serves it, as API Gateway would.
    /// A `resource` given here replaces the matched template (and its path parameters).
    func call(
        _ method: String, _ path: String, as identity: Identity?, body: String? = nil, query: [String: String] = [:],
        resource: String? = nil
    ) async throws -> Reply {
        let (matched, matchedParameters) = Self.resource(for: path)
        let resource = resource ?? matched
        let parameters = resource == matched ? matchedParameters : [:]
        let request = APIGatewayRequest(
            resource: resource, path: path, httpMethod: method,
            headers: body == nil ? [:] : ["Content-Type": "application/json"],
            queryStringParameters: query, pathParameters: parameters,
            requestContext: .init(
                accountId: "123456789012", apiId: "local", resourcePath: resource, httpMethod: method,
                path: "/local" + path, stage: "local", requestId: "request-1",
                requestTimeEpoch: Int64(now.timeIntervalSince1970 * 1000), identity: .init(sourceIp: "127.0.0.1"),
                authorizer: identity.map { .init(claims: $0.claims) }),
            body: body)
        let response: APIGatewayResponse
        if matched == "/me" || matched.hasPrefix("/users") {
            response = try await UserManagementHandler(services: services).handle(request, context: context)
        } else if matched.hasPrefix("/tasks") || matched.hasPrefix("/notifications") {
            response = try await TaskManagementHandler(services: services).handle(request, context: context)
        } else {
            response = try await AdminDashboardHandler(services: services).handle(request, context: context)
        }
        return Reply(status: response.statusCode, headers: response.headers, body: response.body ?? "")
    }

    /// Fires the schedule once.
    func runSchedule() async throws {
        let event = ScheduledEvent(
            id: UUID().uuidString, account: "123456789012", time: now, region: "us-east-1",
            resources: ["arn:aws:events:us-east-1:123456789012:rule/DeadlineReminders"])
        try await NotificationHandler(services: services).handle(event, context: context)
    }

    /// Delivers `message` from the notifications topic to the notification function.
    func deliver(_ message: String) async throws {
        let event = SNSEvent(records: [
            .init(
                eventSubscriptionArn: World.environment[ConfigurationKeys.notificationsTopicArn, default: ""] + ":sub",
                sns: .init(
                    messageId: UUID().uuidString, topicArn: World.environment[ConfigurationKeys.notificationsTopicArn, default: ""],
                    message: message, timestamp: now, signature: "c2ln", signingCertUrl: "https://sns.local/cert.pem",
                    unsubscribeUrl: "https://sns.local/unsubscribe"))
        ])
        try await NotificationHandler(services: services).handle(event, context: context)
    }

    private static func resource(for path: String) -> (String, [String: String]) {
        let segments = path.split(separator: "/").map(String.init)
        for resource in resources {
            let pattern = resource.split(separator: "/").map(String.init)
            if let last = pattern.last, last.hasSuffix("+}"), segments.count >= pattern.count,
               Array(segments.prefix(pattern.count - 1)) == Array(pattern.dropLast()) {
                let rest = segments.dropFirst(pattern.count - 1).joined(separator: "/")
                return (resource, [String(last.dropFirst().dropLast(2)): rest])
            }
            guard pattern.count == segments.count else { continue }
            var parameters: [String: String] = [:]
            var fits = true
            for (segment, part) in zip(segments, pattern) {
                if part.hasPrefix("{") {
                    parameters[String(part.dropFirst().dropLast())] = segment
                } else if part != segment {
                    fits = false
                }
            }
            if fits { return (resource, parameters) }
        }
        return (path, [:])
    }

    // MARK: - Starting state

    /// The first administrator: in the pool already, recorded by its first `GET /me`.
    func admin() async throws -> Identity {
        let admin = Identity(userId: "admin-1", email: "admin@example.com", groups: "Admin")
        _ = try await call("GET", "/me", as: admin)
        return admin
    }

    /// A user the administrator invited.
    func invite(_ email: String, name: String, role: String = "member", by admin: Identity) async throws -> Identity {
        let reply = try await call(
            "POST", "/users", as: admin, body: json(["email": .string(email), "name": .string(name), "role": .string(role)]))
        let user = try reply.decode(UserReply.self)
        return Identity(userId: user.userId, email: email, groups: role == "admin" ? "Admin" : "TeamMember")
    }

    /// A task the administrator created, due `hours` from now.
    func createTask(
        _ title: String, for assignee: Identity, dueIn hours: Double, by admin: Identity
    ) async throws -> TaskReply {
        let reply = try await call(
            "POST", "/tasks", as: admin,
            body: json([
                "title": .string(title), "assigneeId": .string(assignee.userId),
                "deadline": .string(deadline(in: hours)),
            ]))
        guard reply.status == 201 else { throw UnexpectedReply(reply: reply) }
        return try reply.decode(TaskReply.self)
    }

    /// The RFC 3339 text of the time `hours` from now.
    func deadline(in hours: Double) -> String {
        JSONCoding.formatDate(now.addingTimeInterval(hours * 3600))
    }
}

/// A reply a helper did not expect.
struct UnexpectedReply: Error, CustomStringConvertible {
    var reply: Reply
    var description: String { "unexpected \(reply.status): \(reply.body)" }
}

/// `value` as JSON text.
func json(_ value: [String: JSONValue]) -> String {
    (try? String(decoding: JSONCoding.encode(JSONValue.object(value)), as: UTF8.self)) ?? "{}"
}

import Blueprints
import Formwork
import FormworkRuntime
import FormworkSimulator
import Foundation
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

/// The task-management functions of the dev blueprint, run in the simulator: each handler is
/// built from the services the function host gives its function (the table engine, the user
/// pool, the outbox, every call checked against the function's grants), on a virtual clock
/// the test moves.
struct World: Sendable {
    /// 2026-12-01T17:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_796_144_400)

    /// The blueprint's dev environment.
    static let architecture = TaskManagementBlueprint().architecture(for: .dev)

    /// The resources of the REST API, from the blueprint's routes.
    static let resources = Array(Set(architecture.resources(of: RestAPI.self)[0].routes.map(\.path))).sorted()

    let simulator: Simulator
    let logger = CollectingLogger()
    /// Failures a test injects into the functions' clients.
    let faults = Faults()
    /// Environment variables a test changes (`nil` removes one), over the model's.
    private let environmentChanges: [String: String?]

    /// The world of the dev blueprint; `reminderWindowHours` replaces the value of its
    /// reminder-window parameter.
    init(environmentChanges: [String: String?] = [:], reminderWindowHours: String? = nil) throws {
        var architecture = World.architecture
        if let reminderWindowHours {
            architecture.resources = architecture.resources.map { resource in
                guard let parameter = resource as? Parameter, parameter.name == "ReminderWindowParameter" else { return resource }
                return Parameter(parameter.name, path: parameter.path, value: reminderWindowHours, summary: parameter.summary)
            }
        }
        simulator = try Simulator(architecture: architecture, environment: .dev, options: .init(clock: .virtual(start: World.start)))
        self.environmentChanges = environmentChanges
    }

    var clock: SimulatorClock { simulator.clock }
    var now: Date { clock.now() }

    var context: HandlerContext {
        HandlerContext(requestId: "request-1", functionName: "TaskManagement", deadline: now.addingTimeInterval(30), logger: logger)
    }

    /// The services the function host builds for the blueprint's function `name`, with the
    /// test's changes to its environment.
    func services(for name: String) -> Services {
        guard let function = simulator.architecture.resources(of: Function.self).first(where: { $0.name == name }) else {
            return simulator.functions.services(for: Function(name, handler: AdminDashboardHandler.self))
        }
        var services = simulator.functions.services(for: function)
        for (key, value) in environmentChanges { services.environment[key] = value }
        services.notifications = FaultyNotifications(wrapped: services.notifications, faults: faults)
        services.users = FaultyDirectory(wrapped: services.users, faults: faults)
        services.tables = FaultyTables(wrapped: services.tables, faults: faults)
        return services
    }

    /// A setting of the task function's environment.
    func environment(_ key: String) -> String { services(for: "TaskManagementFunction").environment[key] ?? "" }

    /// The user pool's id.
    var poolId: String { simulator.identity.userPools[0].poolId }

    /// What went out: SES e-mail and SNS publishes, from the simulator's outbox.
    var outbox: OutboxView { OutboxView(outbox: simulator.outbox) }
    /// The user pool, as the tests inspect it.
    var directory: DirectoryView { DirectoryView(simulator: simulator, poolId: poolId) }
    /// The tables, as the tests inspect them.
    var tables: TablesView { TablesView(world: self) }

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
        let api = simulator.architecture.resources(of: RestAPI.self)[0]
        let route =
            api.routes.first { $0.path == matched && ($0.method.rawValue == method || $0.method == .any) }
            ?? api.routes.first { $0.path == matched }
        let name = route?.function.name ?? "AdminDashboardFunction"
        let services = services(for: name)
        let response: APIGatewayResponse
        switch name {
        case "UserManagementFunction": response = try await UserManagementHandler(services: services).handle(request, context: context)
        case "TaskManagementFunction": response = try await TaskManagementHandler(services: services).handle(request, context: context)
        default: response = try await AdminDashboardHandler(services: services).handle(request, context: context)
        }
        return Reply(status: response.statusCode, headers: response.headers, body: response.body ?? "")
    }

    /// Fires the schedule once.
    func runSchedule() async throws {
        let event = ScheduledEvent(
            id: UUID().uuidString, account: "123456789012", time: now, region: "us-east-1",
            resources: ["arn:aws:events:us-east-1:123456789012:rule/DeadlineReminders"])
        try await NotificationHandler(services: services(for: "NotificationFunction")).handle(event, context: context)
    }

    /// Delivers `message` from the notifications topic (or `topicArn`) to the notification function.
    func deliver(_ message: String, from topicArn: String? = nil) async throws {
        let topicArn = topicArn ?? environment(ConfigurationKeys.notificationsTopicArn)
        let event = SNSEvent(records: [
            .init(
                eventSubscriptionArn: topicArn + ":sub",
                sns: .init(
                    messageId: UUID().uuidString, topicArn: topicArn,
                    message: message, timestamp: now, signature: "c2ln", signingCertUrl: "https://sns.local/cert.pem",
                    unsubscribeUrl: "https://sns.local/unsubscribe"))
        ])
        try await NotificationHandler(services: services(for: "NotificationFunction")).handle(event, context: context)
    }

    private static func resource(for path: String) -> (String, [String: String]) {
        let segments = path.split(separator: "/").map(String.init)
        for resource in resources {
            let pattern = resource.split(separator: "/").map(String.init)
            if let last = pattern.last, last.hasSuffix("+}"), segments.count >= pattern.count,
                Array(segments.prefix(pattern.count - 1)) == Array(pattern.dropLast())
            {
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
        try simulator.identity.seed(poolId: poolId, email: "admin@example.com", password: "Admin-Passw0rd!", groups: ["Admin"])
        let pooled = try await simulator.identity.directory.adminGetUser(userPoolId: poolId, username: "admin@example.com")
        let admin = Identity(userId: pooled.sub, email: "admin@example.com", groups: "Admin")
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

extension SimulatorClock {
    /// Moves the clock forward by `hours`.
    func advance(hours: Double) { advance(by: hours * 3600) }
}

/// The outbox as the handler tests read it.
struct OutboxView {
    let outbox: Outbox

    struct Email: Equatable {
        var from: String
        var to: [String]
        var subject: String
        var body: String
    }

    struct Published {
        var topicArn: String
        var message: String
        var attributes: [String: SNSMessageAttribute]
    }

    /// The e-mail sent through SES, oldest first.
    var emails: [Email] {
        get async {
            ((try? outbox.messages()) ?? []).filter { $0.service == "ses" }.map {
                Email(from: $0.from ?? "", to: $0.to, subject: $0.subject ?? "", body: $0.body)
            }
        }
    }

    /// The messages published to SNS topics, oldest first.
    var published: [Published] {
        get async {
            ((try? outbox.messages()) ?? []).filter { $0.service == "sns" && $0.kind == "publish" }.map {
                Published(topicArn: $0.to.first ?? "", message: $0.body, attributes: $0.attributes)
            }
        }
    }
}

/// The user pool as the handler tests read it.
struct DirectoryView {
    let simulator: Simulator
    let poolId: String

    func user(_ username: String) async -> DirectoryUser? {
        try? await simulator.identity.directory.adminGetUser(userPoolId: poolId, username: username)
    }

    func groupNames(_ username: String) async -> [String] {
        (try? await simulator.identity.directory.adminListGroupsForUser(userPoolId: poolId, username: username)) ?? []
    }

    /// The addresses Cognito sent an invitation to, oldest first.
    var invitations: [String] {
        get async { ((try? simulator.outbox.messages()) ?? []).filter { $0.service == "cognito-idp" }.compactMap(\.to.first) }
    }

    func adminCreateUser(username: String, attributes: [String: String]) async throws -> DirectoryUser {
        try await simulator.identity.directory.adminCreateUser(userPoolId: poolId, username: username, attributes: attributes)
    }
}

/// The tables as the handler tests read them, by the short names `Users`, `Tasks`, `Notifications`.
struct TablesView {
    let world: World

    func items(in name: String) async -> [TableItem] {
        let key =
            [
                "Users": ConfigurationKeys.usersTable, "Tasks": ConfigurationKeys.tasksTable,
                "Notifications": ConfigurationKeys.notificationsTable,
            ][name] ?? name
        return (try? await world.simulator.tables.scan(table: world.environment(key), ScanRequest()).items) ?? []
    }
}

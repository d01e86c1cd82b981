import Foundation
import FormworkRuntime
import Testing

/// A handler as application code writes one: built from `Services`, answering from the
/// request, the context's clock and the environment.
private struct WhoAmIHandler: APIHandler {
    let services: Services

    init(services: Services) {
        self.services = services
    }

    struct Answer: Codable, Equatable {
        var userId: String
        var groups: [String]
        var table: String
        var at: Date
    }

    func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse {
        guard let userId = request.claims["sub"] else {
            return .error(status: 401, code: "Unauthorized", message: "Unauthorized")
        }
        context.logger.info("whoami \(userId)")
        let answer = Answer(
            userId: userId, groups: request.requestContext.authorizer?.groups ?? [],
            table: try services.requiredEnvironment("TABLE_NAME"), at: services.now())
        return try .json(answer)
    }
}

/// What a host does: build the handler type from services, then invoke it.
private func host<Handler: APIHandler>(
    _ type: Handler.Type,
    services: Services,
    request: APIGatewayRequest,
    context: HandlerContext
) async throws -> APIGatewayResponse {
    try await type.init(services: services).handle(request, context: context)
}

@Suite("Hosting handlers")
struct HandlerHostingTests {
    private let fixedNow = Date(timeIntervalSince1970: 1_796_144_400)

    private func services(environment: [String: String]) -> Services {
        Services(
            tables: PagedTable(pages: []), notifications: SilentNotifications(), users: PagedDirectory(pages: []),
            parameters: FixedParameters(), environment: environment, clock: .fixed(fixedNow))
    }

    private func request(claims: [String: String]) -> APIGatewayRequest {
        APIGatewayRequest(
            resource: "/me", path: "/me", httpMethod: "GET",
            requestContext: .init(
                accountId: "123456789012", apiId: "local", resourcePath: "/me", httpMethod: "GET", path: "/local/me",
                stage: "local", requestId: "r-1", requestTimeEpoch: 1_796_144_400_000,
                identity: .init(sourceIp: "127.0.0.1"), authorizer: .init(claims: claims)))
    }

    @Test("a host builds a handler from services and invokes it with an injected clock")
    func hostsHandler() async throws {
        let logger = CollectingLogger()
        let context = HandlerContext(
            requestId: "r-1", functionName: "TaskManagement", deadline: fixedNow.addingTimeInterval(3), logger: logger)
        let response = try await host(
            WhoAmIHandler.self, services: services(environment: ["TABLE_NAME": "Tasks"]),
            request: request(claims: ["sub": "u-1", "cognito:groups": "[Admin TeamMember]"]), context: context)

        #expect(response.statusCode == 200)
        let answer = try JSONCoding.decode(WhoAmIHandler.Answer.self, from: Data((response.body ?? "").utf8))
        #expect(answer == .init(userId: "u-1", groups: ["Admin", "TeamMember"], table: "Tasks", at: fixedNow))
        #expect(logger.lines.map(\.1) == ["whoami u-1"])
        #expect(logger.lines.map(\.0) == [.info])
        #expect(context.remainingTime(by: .fixed(fixedNow)) == 3)
    }

    @Test("a missing environment variable is reported by name")
    func missingEnvironment() throws {
        let error = #expect(throws: MissingEnvironmentVariable.self) {
            try services(environment: ["TABLE_NAME": ""]).requiredEnvironment("TABLE_NAME")
        }
        #expect(error?.description == "Environment variable 'TABLE_NAME' is not set.")
    }

    @Test("log levels are ordered from debug to error")
    func logLevels() {
        #expect(LogLevel.debug < .info && LogLevel.info < .warning && LogLevel.warning < .error)
        #expect(LogLevel.allCases.sorted() == [.debug, .info, .warning, .error])
    }
}

@Suite("Client pagination helpers")
struct PaginationTests {
    @Test("queryAll and scanAll follow lastEvaluatedKey to the end")
    func tablePages() async throws {
        let table = PagedTable(pages: [[["id": "a"], ["id": "b"]], [], [["id": "c"]]])
        let queried = try await table.queryAll(table: "Tasks", QueryRequest(keyConditionExpression: "id = :id"))
        #expect(queried == [["id": "a"], ["id": "b"], ["id": "c"]])
        #expect(try await table.scanAll(table: "Tasks").count == 3)
        #expect(try await PagedTable(pages: []).scanAll(table: "Tasks").isEmpty)
    }

    @Test("listAllUsers follows pagination tokens to the end")
    func directoryPages() async throws {
        let created = Date(timeIntervalSince1970: 1_796_144_400)
        let ana = DirectoryUser(username: "ana@example.com", sub: "u-1", attributes: ["email": "ana@example.com"], status: .confirmed, createdAt: created)
        let bo = DirectoryUser(username: "bo@example.com", sub: "u-2", attributes: [:], status: .forceChangePassword, createdAt: created)
        let users = try await PagedDirectory(pages: [[ana], [bo]]).listAllUsers(userPoolId: "pool")
        #expect(users.map(\.sub) == ["u-1", "u-2"])
        #expect(ana.email == "ana@example.com" && bo.email == nil)
        #expect(bo.lastModifiedAt == created)
        #expect(try roundTrip(UserPage(users: users, paginationToken: "t")) == UserPage(users: users, paginationToken: "t"))
        #expect(UserStatus.forceChangePassword.rawValue == "FORCE_CHANGE_PASSWORD")
    }
}

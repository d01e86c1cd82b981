import Blueprints
import Formwork
import FormworkLambda
import FormworkRuntime
import FormworkSimulator
import Foundation
import NIOConcurrencyHelpers
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The AWS-backed clients against two independent servers: `formwork simulate` (in this
/// process, on a port) and moto's server (a `python3 -m moto.server` process). The same
/// scenario runs on both; each server gets the resources the blueprint's dev environment
/// declares (moto through its own API, the simulator from the model).
@Suite("AWS-backed clients against formwork simulate and moto", .serialized)
struct ClientParityTests {
    /// The names one server's resources go by.
    struct Fixture: Sendable {
        var server: String
        var endpoint: String
        var table: String
        var userPoolId: String
        var topicArn: String
        var sender: String
        var parameter: String
        var parameterValue: String
    }

    static let credentials = AWSCredentials(accessKeyId: "AKIDFORMWORKTEST", secretAccessKey: "formwork-test-secret")

    static func transport(_ endpoint: String) -> AWSTransport {
        AWSTransport(configuration: AWSConfiguration(region: "us-east-1", credentials: credentials, endpointURL: endpoint))
    }

    @Test("formwork simulate")
    func formwork() async throws {
        let architecture = TaskManagementBlueprint().architecture(for: .dev)
        let simulator = try Simulator(
            architecture: architecture, environment: .dev, options: .init(clock: .virtual(start: Date(timeIntervalSince1970: 1_796_115_600))))
        try await Self.serving(simulator) { endpoint in
            let table = try #require(architecture.resources(of: Table.self).first { $0.name == "TasksTable" })
            let topic = try #require(architecture.resources(of: Topic.self).first { $0.name == "NotificationsTopic" })
            let parameter = try #require(architecture.resources(of: Parameter.self).first)
            let fixture = Fixture(
                server: "formwork", endpoint: endpoint, table: simulator.naming.tableName(table), userPoolId: simulator.identity.userPools[0].poolId,
                topicArn: try #require(simulator.naming.arn(of: topic.id, in: architecture)), sender: "notifications@taskmgmt.example.com",
                parameter: parameter.path, parameterValue: parameter.value)
            try await Self.scenario(fixture, groupName: "Admin")
        }
    }

    @Test("moto", .enabled(if: MotoServer.isAvailable, "moto is not installed: python3 -m pip install -r tests/sdk/requirements.txt"))
    func moto() async throws {
        try await MotoServer.serving { endpoint in
            let transport = Self.transport(endpoint)
            func call(_ service: AWSService, _ target: String, _ input: [String: Any], version: String = "1.1") async throws -> [String: Any] {
                let answer = try await transport.send(
                    service, headers: [("Content-Type", "application/x-amz-json-\(version)"), ("X-Amz-Target", target)],
                    body: try JSONSerialization.data(withJSONObject: input), errorCode: { $0.jsonError })
                return (try JSONSerialization.jsonObject(with: answer.body)) as? [String: Any] ?? [:]
            }
            _ = try await call(
                .dynamoDB, "DynamoDB_20120810.CreateTable",
                [
                    "TableName": "parity-tasks", "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [["AttributeName": "taskId", "AttributeType": "S"]],
                    "KeySchema": [["AttributeName": "taskId", "KeyType": "HASH"]],
                ], version: "1.0")
            let pool = try await call(.cognitoIdentityProvider, "AWSCognitoIdentityProviderService.CreateUserPool", ["PoolName": "parity"])
            let poolId = try #require((pool["UserPool"] as? [String: Any])?["Id"] as? String)
            _ = try await call(.cognitoIdentityProvider, "AWSCognitoIdentityProviderService.CreateGroup", ["UserPoolId": poolId, "GroupName": "Admin"])
            _ = try await call(.ssm, "AmazonSSM.PutParameter", ["Name": "/parity/window", "Value": "24", "Type": "String"])
            let created = try await transport.send(
                .sns, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data("Action=CreateTopic&Name=parity&Version=2010-03-31".utf8),
                errorCode: { $0.xmlError })
            let topicArn = try #require(XMLText.first("TopicArn", in: String(decoding: created.body, as: UTF8.self)))
            _ = try await transport.send(
                .sesV2, path: "/v2/email/identities", headers: [("Content-Type", "application/json")],
                body: Data(#"{"EmailIdentity":"notifications@parity.example.com"}"#.utf8), errorCode: { $0.jsonError })
            let fixture = Fixture(
                server: "moto", endpoint: endpoint, table: "parity-tasks", userPoolId: poolId, topicArn: topicArn,
                sender: "notifications@parity.example.com", parameter: "/parity/window", parameterValue: "24")
            try await Self.scenario(fixture, groupName: "Admin")
        }
    }

    /// The scenario both servers go through, with the same expectations.
    static func scenario(_ fixture: Fixture, groupName: String) async throws {
        let transport = Self.transport(fixture.endpoint)
        try await tables(DynamoDBTables(transport: transport), fixture)
        try await directory(CognitoDirectory(transport: transport), fixture, groupName: groupName)
        try await notifications(SNSAndSES(transport: transport), fixture)
        try await parameters(SSMParameters(transport: transport), fixture)
    }

    static func tables(_ tables: DynamoDBTables, _ fixture: Fixture) async throws {
        let table = fixture.table
        let item: TableItem = ["taskId": .string("t-1"), "title": .string("Write"), "version": .number("1"), "tags": .stringSet(["a", "b"])]
        try await tables.putItem(table: table, item: item)
        await #expect(throws: TableError.conditionalCheckFailed, "\(fixture.server)") {
            try await tables.putItem(table: table, item: item, condition: ConditionExpression("attribute_not_exists(taskId)"))
        }
        #expect(try await tables.getItem(table: table, key: ["taskId": .string("t-1")]) == item, "\(fixture.server)")
        let updated = try await tables.updateItem(
            table: table, key: ["taskId": .string("t-1")],
            update: UpdateExpression("SET #t = :t, version = version + :one", names: ["#t": "title"], values: [":t": .string("Review"), ":one": .number("1")]),
            condition: ConditionExpression("version = :v", values: [":v": .number("1")]), returnValues: .allNew)
        #expect(updated?["title"] == .string("Review") && updated?["version"] == .number("2"), "\(fixture.server): \(String(describing: updated))")
        let page = try await tables.query(
            table: table, QueryRequest(keyConditionExpression: "taskId = :id", expressionAttributeValues: [":id": .string("t-1")]))
        #expect(page.items.count == 1 && page.items.first?["title"] == .string("Review"), "\(fixture.server)")
        do {
            try await tables.transactWrite([
                .put(table: table, item: ["taskId": .string("t-2")]),
                .conditionCheck(table: table, key: ["taskId": .string("t-1")], condition: ConditionExpression("version = :v", values: [":v": .number("99")])),
            ])
            Issue.record("\(fixture.server): the transaction should have been cancelled")
        } catch TableError.transactionCanceled(let reasons) {
            #expect(reasons.map(\.code) == ["None", "ConditionalCheckFailed"], "\(fixture.server)")
        }
        #expect(try await tables.getItem(table: table, key: ["taskId": .string("t-2")]) == nil, "\(fixture.server): nothing of a cancelled transaction stays")
        let written = try await tables.batchWrite([table: [.put(item: ["taskId": .string("t-3")]), .put(item: ["taskId": .string("t-4")])]])
        #expect(written.unprocessedItems.isEmpty, "\(fixture.server)")
        let read = try await tables.batchGet([table: BatchGetRequest(keys: [["taskId": .string("t-3")], ["taskId": .string("t-4")]])])
        #expect(Set(read.responses[table, default: []].compactMap { $0["taskId"] }) == [.string("t-3"), .string("t-4")], "\(fixture.server)")
        let scanned = try await tables.scan(table: table, ScanRequest(limit: 1))
        #expect(scanned.items.count == 1 && scanned.lastEvaluatedKey != nil, "\(fixture.server)")
        let old = try await tables.deleteItem(table: table, key: ["taskId": .string("t-1")], condition: nil, returnValues: .allOld)
        #expect(old?["version"] == .number("2"), "\(fixture.server)")
        await #expect(throws: TableError.self, "\(fixture.server)") {
            _ = try await tables.getItem(table: "no-such-table", key: ["taskId": .string("x")])
        }
    }

    static func directory(_ users: CognitoDirectory, _ fixture: Fixture, groupName: String) async throws {
        let pool = fixture.userPoolId, name = "parity@example.com"
        let created = try await users.adminCreateUser(
            userPoolId: pool, username: name, attributes: ["email": name, "email_verified": "true"], temporaryPassword: "Temp-Passw0rd!",
            suppressInvitation: true)
        #expect(created.status == .forceChangePassword && created.email == name, "\(fixture.server)")
        #expect(try await users.adminGetUser(userPoolId: pool, username: created.username).email == name, "\(fixture.server)")
        try await users.adminAddUserToGroup(userPoolId: pool, username: created.username, groupName: groupName)
        #expect(try await users.adminListGroupsForUser(userPoolId: pool, username: created.username) == [groupName], "\(fixture.server)")
        try await users.adminRemoveUserFromGroup(userPoolId: pool, username: created.username, groupName: groupName)
        #expect(try await users.adminListGroupsForUser(userPoolId: pool, username: created.username).isEmpty, "\(fixture.server)")
        try await users.adminDisableUser(userPoolId: pool, username: created.username)
        #expect(try await users.adminGetUser(userPoolId: pool, username: created.username).enabled == false, "\(fixture.server)")
        try await users.adminEnableUser(userPoolId: pool, username: created.username)
        try await users.adminUpdateUserAttributes(userPoolId: pool, username: created.username, attributes: ["name": "Parity"])
        #expect(try await users.adminGetUser(userPoolId: pool, username: created.username).attributes["name"] == "Parity", "\(fixture.server)")
        let listed = try await users.listUsers(userPoolId: pool, filter: "email = \"\(name)\"", limit: 10, paginationToken: nil)
        #expect(listed.users.map(\.username) == [created.username], "\(fixture.server)")
        let missing = await #expect(throws: DirectoryError.self, "\(fixture.server)") {
            _ = try await users.adminGetUser(userPoolId: pool, username: "nobody@example.com")
        }
        #expect(missing?.awsErrorCode == "UserNotFoundException", "\(fixture.server)")
    }

    static func notifications(_ client: SNSAndSES, _ fixture: Fixture) async throws {
        let id = try await client.publish(
            topicArn: fixture.topicArn, message: #"{"type":"parity"}"#, subject: "Parity",
            attributes: ["kind": SNSMessageAttribute(type: "String", value: "parity")])
        #expect(!id.isEmpty, "\(fixture.server)")
        do {
            _ = try await client.publish(topicArn: fixture.topicArn + "-missing", message: "x")
            Issue.record("\(fixture.server): a publish to a missing topic should fail")
        } catch let error as NotificationError {
            #expect(error.awsErrorCode == "NotFoundException", "\(fixture.server): \(error)")
        }
        let mail = try await client.sendEmail(from: fixture.sender, to: ["someone@example.com"], subject: "Parity", textBody: "Hello", htmlBody: nil)
        #expect(!mail.isEmpty, "\(fixture.server)")
        do {
            _ = try await client.sendEmail(from: "stranger@unverified.example", to: "someone@example.com", subject: "x", textBody: "x")
            Issue.record("\(fixture.server): an unverified sender should be refused")
        } catch let error as NotificationError {
            #expect(error.awsErrorCode == "MessageRejected", "\(fixture.server): \(error)")
        }
    }

    static func parameters(_ client: SSMParameters, _ fixture: Fixture) async throws {
        #expect(try await client.getParameter(name: fixture.parameter) == fixture.parameterValue, "\(fixture.server)")
        do {
            _ = try await client.getParameter(name: "/no/such/parameter")
            Issue.record("\(fixture.server): a missing parameter should fail")
        } catch let error as ParameterError {
            #expect(error == .parameterNotFound(error.message), "\(fixture.server): \(error)")
        }
    }

    /// Runs `simulator` on a free port for the length of `body`.
    static func serving(_ simulator: Simulator, _ body: @Sendable (String) async throws -> Void) async throws {
        let ready = NIOLockedValueBox<CheckedContinuation<Int, Never>?>(nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            let port = await withCheckedContinuation { continuation in
                ready.withLockedValue { $0 = continuation }
                group.addTask {
                    try await simulator.run(host: "127.0.0.1", port: 0) { port in
                        ready.withLockedValue { $0?.resume(returning: port) }
                        ready.withLockedValue { $0 = nil }
                    }
                }
            }
            try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
        }
    }
}

/// moto's server in a child process, on a free port.
enum MotoServer {
    /// Whether `python3 -m moto.server` can run here; `FORMWORK_REQUIRE_MOTO=1` (set by
    /// `make test`) makes its absence a failure instead of a skipped test.
    static let isAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import moto.server"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let found =
            (try? process.run()).map {
                process.waitUntilExit(); return process.terminationStatus == 0
            } ?? false
        return found || ProcessInfo.processInfo.environment["FORMWORK_REQUIRE_MOTO"] == "1"
    }()

    static func serving(_ body: @Sendable (String) async throws -> Void) async throws {
        let port = freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("formwork-moto-\(port).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer { try? handle.close() }
        let endpoint = "http://127.0.0.1:\(port)"
        var ready = false
        for _ in 0..<300 where !ready {
            ready = (try? await URLSession.shared.data(from: URL(string: endpoint + "/moto-api/")!)) != nil
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        do {
            try #require(ready, "moto's server did not answer within 30 s")
            try await body(endpoint)
        } catch {
            await stop(process)
            throw error
        }
        await stop(process)
    }

    /// SIGTERM, then SIGKILL after 5 s; polled, as `waitUntilExit` would block a thread of the
    /// concurrency pool.
    static func stop(_ process: Process) async {
        process.terminate()
        for _ in 0..<100 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    static func freePort() -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

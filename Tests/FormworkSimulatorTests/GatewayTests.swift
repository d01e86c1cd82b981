import Blueprints
import Formwork
import FormworkRuntime
import FormworkSimulator
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TaskManagement
import Testing

/// Calls the blueprint's REST API through the simulator's router.
struct APICaller {
    let host: Host

    var base: String {
        let url = host.simulator.gateways[0].url
        return String(url.dropFirst(host.simulator.endpoint.count))
    }

    struct Reply {
        var status: Int
        var headers: HTTPFields
        var text: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    }

    func call(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, body: String? = nil, headers extra: HTTPFields = [:])
        async throws -> Reply
    {
        var headers = extra
        if let token { headers[.authorization] = token }
        if body != nil { headers[.contentType] = "application/json" }
        return try await host.client.execute(uri: base + path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            Reply(status: Int($0.status.code), headers: $0.headers, text: String(buffer: $0.body))
        }
    }

    /// Seeds a confirmed user and returns its ID token.
    func idToken(_ email: String, groups: [String]) async throws -> String {
        try host.simulator.identity.seed(poolId: host.poolId, email: email, password: "Permanent-Pass1!", groups: groups)
        let signedIn = try await host.signIn(email, "Permanent-Pass1!")
        return (signedIn.json["AuthenticationResult"] as? [String: Any])?["IdToken"] as? String ?? ""
    }
}

@Suite("Gateway: routing, the Cognito authorizer, the proxy integration, functions in process")
struct GatewayTests {
    @Test("an admin invites a member, the member signs in, and they work on a task through the real handlers")
    func endToEnd() async throws {
        try await withHost { host in
            let api = APICaller(host: host)
            let admin = try await api.idToken("boss@example.com", groups: ["Admin"])
            let invited = try await api.call(.post, "/users", token: admin, body: #"{"email":"mia@example.com","name":"Mia","role":"member"}"#)
            #expect(invited.status == 201, "\(invited.text)")
            let memberId = invited.json["userId"] as? String ?? ""
            let invitation = try #require(try host.mail(to: "mia@example.com").first)
            let temporary = try #require(invitation.body.components(separatedBy: "temporary password ").last?.components(separatedBy: " ").first)
            let challenge = try await host.signIn("mia@example.com", temporary)
            let answered = try await host.call(
                "RespondToAuthChallenge",
                [
                    "ClientId": host.clientId, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": challenge.json["Session"] as? String ?? "",
                    "ChallengeResponses": ["USERNAME": "mia@example.com", "NEW_PASSWORD": "Member-Pass1!x"],
                ], signed: false)
            let member = (answered.json["AuthenticationResult"] as? [String: Any])?["IdToken"] as? String ?? ""
            #expect(!member.isEmpty)

            let me = try await api.call(.get, "/me", token: member)
            #expect(me.status == 200 && me.json["userId"] as? String == memberId, "\(me.text)")
            let deadline = JSONCoding.formatDate(simulatorStart.addingTimeInterval(3 * 86_400))
            let created = try await api.call(
                .post, "/tasks", token: admin, body: #"{"title":"Write the report","assigneeId":"\#(memberId)","deadline":"\#(deadline)"}"#)
            #expect(created.status == 201, "\(created.text)")
            let taskId = created.json["taskId"] as? String ?? ""
            let seen = try await api.call(.get, "/tasks/\(taskId)", token: member)
            #expect(seen.status == 200 && seen.json["title"] as? String == "Write the report")
            let forbidden = try await api.call(.post, "/tasks", token: member, body: #"{"title":"x","assigneeId":"\#(memberId)","deadline":"\#(deadline)"}"#)
            #expect(forbidden.status == 403)
            let updated = try await api.call(.patch, "/tasks/\(taskId)", token: member, body: #"{"version":1,"status":"in_progress"}"#)
            #expect(updated.status == 200 && updated.json["version"] as? Int == 2, "\(updated.text)")
            let notifications = try await api.call(.get, "/notifications", token: member)
            #expect((notifications.json["items"] as? [[String: Any]])?.first?["type"] as? String == "task_assigned")

            let logs = try await host.get("/_formwork/logs/TaskManagementFunction").json["events"] as? [[String: Any]] ?? []
            let messages = logs.compactMap { $0["message"] as? String }
            #expect(messages.contains { $0.hasPrefix("START RequestId: ") })
            #expect(messages.contains { $0.hasPrefix("REPORT RequestId: ") && $0.contains("Init Duration") })
        }
    }

    @Test("unknown routes and methods get 403 Missing Authentication Token; public routes need no token")
    func routing() async throws {
        try await withHost { host in
            let api = APICaller(host: host)
            for (method, path) in [(HTTPRequest.Method.get, "/nowhere"), (.put, "/tasks"), (.get, "/tasks/a/b")] {
                let reply = try await api.call(method, path)
                #expect(reply.status == 403 && reply.json["message"] as? String == "Missing Authentication Token", "\(method) \(path)")
            }
            #expect(try await api.call(.get, "/health").status == 200)
            #expect(try await api.call(.options, "/nowhere").status == 403, "no preflight for a resource the API lacks")
            let wrongStage = try await host.client.execute(uri: "/restapis/nope/dev/_user_request_/tasks", method: .get) { $0 }
            #expect(wrongStage.status == .forbidden && String(buffer: wrongStage.body).contains("Missing Authentication Token"))
            let admin = try await api.idToken("root@example.com", groups: ["Admin"])
            let totals = try await api.call(.get, "/admin/reports/totals", token: admin)
            #expect(totals.status == 200 && totals.json["completionRate"] != nil, "the greedy route reaches the dashboard: \(totals.text)")
            let unknown = try await api.call(.get, "/admin/reports/weekly/2026", token: admin)
            #expect(unknown.status == 404 && unknown.json["code"] as? String == "NotFound", "the handler, not the gateway, answers: \(unknown.text)")
        }
    }

    @Test("the authorizer refuses missing, expired, forged, foreign and access tokens with 401")
    func authorizer() async throws {
        try await withHost { host in
            let api = APICaller(host: host)
            let token = try await api.idToken("amy@example.com", groups: ["TeamMember"])
            #expect(try await api.call(.get, "/notifications", token: token).status == 200)
            #expect(try await api.call(.get, "/notifications", token: "Bearer \(token)").status == 200)
            let unauthorized: [String?] = [
                nil, "garbage", withForgedSignature(token),
                Self.token(header: #"{"alg":"none"}"#, payloadOf: token, signature: ""),
                Self.token(header: #"{"alg":"HS256","kid":"x"}"#, payloadOf: token, signature: "c2ln"),
                Self.token(header: #"{"alg":"RS256","kid":"unknown-key"}"#, payloadOf: token, signature: String(token.split(separator: ".")[2])),
                Self.resigned(token, claims: ["aud": "someone-else"]),
            ]
            for candidate in unauthorized {
                let reply = try await api.call(.get, "/notifications", token: candidate)
                #expect(reply.status == 401 && reply.json["message"] as? String == "Unauthorized", "\(candidate ?? "none")")
            }
            let signedIn = try await host.signIn("amy@example.com", "Permanent-Pass1!")
            let access = (signedIn.json["AuthenticationResult"] as? [String: Any])?["AccessToken"] as? String
            #expect(try await api.call(.get, "/notifications", token: access).status == 401, "an access token is not an ID token")
            try await host.simulator.advanceClock(by: 7200)
            #expect(try await api.call(.get, "/notifications", token: token).status == 401, "expired on the simulator's clock")
        }
    }

    @Test("validation, payload limit, throttling and CORS")
    func requestRules() async throws {
        try await withHost { host in
            let api = APICaller(host: host)
            let admin = try await api.idToken("val@example.com", groups: ["Admin"])
            let invalid = try await api.call(.post, "/tasks", token: admin, body: #"{"title": 5}"#)
            #expect(invalid.status == 400 && invalid.json["message"] as? String == "Invalid request body")
            let huge = String(repeating: "x", count: 10 * 1024 * 1024 + 10)
            #expect(try await api.call(.post, "/tasks", token: admin, body: huge).status == 413)
            let preflight = try await api.call(.options, "/tasks")
            #expect(preflight.status == 204)
            #expect(preflight.headers[HTTPField.Name("Access-Control-Allow-Methods")!]?.contains("PATCH") == true)
            let origin = HTTPField.Name("Access-Control-Allow-Origin")!
            let answered = try await api.call(.get, "/notifications", token: admin)
            #expect(answered.headers[origin] == host.simulator.endpoint, "the handler sends the origin its environment names")
            let refused = try await api.call(.get, "/notifications", token: "garbage")
            #expect(refused.status == 401 && refused.headers[origin] == host.simulator.endpoint, "the gateway's own answers carry it")
            var statuses: [Int] = []
            for _ in 0..<120 { statuses.append(try await api.call(.get, "/health").status) }
            #expect(statuses.contains(429), "the dev stage bursts to 100 requests")
            try await host.simulator.advanceClock(by: 10)
            #expect(try await api.call(.get, "/health").status == 200, "the bucket refills on the simulator's clock")
        }
    }

    @Test("IAM from the grants: a call the function has no grant for is denied in AWS's words")
    func iamDenial() async throws {
        let architecture = TaskManagementBlueprint().architecture(for: .dev)
        try await withHost(architecture: architecture) { host in
            let function = try #require(architecture.resources(of: Function.self).first { $0.name == "AdminDashboardFunction" })
            let services = host.simulator.functions.services(for: function)
            let tasks = services.environment[ConfigurationKeysForTests.tasksTable] ?? ""
            _ = try await services.tables.scan(table: tasks, ScanRequest())
            do {
                try await services.tables.putItem(table: tasks, item: ["taskId": "t1"], condition: nil)
                Issue.record("the dashboard has only read grants")
            } catch let error as TableError {
                #expect(error.awsErrorCode == "AccessDeniedException")
                #expect(
                    error.message
                        == "User: arn:aws:sts::000000000000:assumed-role/AdminDashboardFunctionRole/taskmgmt-dev-admin-dashboard is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/taskmgmt-dev-tasks because no identity-based policy allows the dynamodb:PutItem action"
                )
            }
            await #expect(throws: DirectoryError.self) {
                _ = try await services.users.adminGetUser(userPoolId: host.poolId, username: "a@example.com")
            }
            #expect(tasks == "taskmgmt-dev-tasks")
            let userFunction = try #require(architecture.resources(of: Function.self).first { $0.name == "UserManagementFunction" })
            #expect(host.simulator.functions.environment(of: userFunction)["USER_POOL_ID"] == host.poolId)
        }
    }

    @Test("a blueprint without one grant: exactly the calls that need it fail, in AWS's words")
    func removedGrant() async throws {
        var architecture = TaskManagementBlueprint().architecture(for: .dev)
        architecture.resources = architecture.resources.map { resource in
            guard let function = resource as? Function, function.name == "TaskManagementFunction" else { return resource }
            var copy = Function(function.name, handler: TaskManagementHandler.self).named(function.functionName ?? function.name)
            for variable in function.environment {
                switch variable.value {
                case .literal(let text): copy = copy.environment(variable.key, text)
                case .attribute(let id, let attribute, _):
                    if let target = architecture.resource(id) { copy = copy.environment(variable.key, target, attribute) }
                }
            }
            return copy.grants(function.grants.filter { $0.access != .topicPublish })
        }
        try await withHost(architecture: architecture) { host in
            let api = APICaller(host: host)
            let admin = try await api.idToken("lead@example.com", groups: ["Admin"])
            let me = try await api.call(.get, "/me", token: admin)
            let deadline = JSONCoding.formatDate(simulatorStart.addingTimeInterval(86_400 * 3))
            let created = try await api.call(
                .post, "/tasks", token: admin,
                body: #"{"title":"Denied publish","assigneeId":"\#(me.json["userId"] as? String ?? "")","deadline":"\#(deadline)"}"#)
            #expect(created.status == 201, "a failed publish is logged, not fatal: \(created.text)")
            let logs = try await host.get("/_formwork/logs/TaskManagementFunction").json["events"] as? [[String: Any]] ?? []
            let denials = logs.compactMap { $0["message"] as? String }.filter { $0.contains("is not authorized to perform") }
            #expect(denials.count == 1)
            #expect(denials.first?.contains("sns:Publish on resource: arn:aws:sns:us-east-1:000000000000:taskmgmt-dev-notifications") == true)
            #expect(try host.simulator.outbox.messages().filter { $0.service == "sns" }.isEmpty, "nothing was published")
            #expect(try host.simulator.outbox.messages().contains { $0.service == "ses" }, "the e-mail, which is granted, went out")
        }
    }

    static func token(header: String, payloadOf token: String, signature: String) -> String {
        let payload = token.split(separator: ".").dropFirst().first.map(String.init) ?? ""
        let encodedHeader = Data(header.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        return "\(encodedHeader).\(payload).\(signature)"
    }

    /// The token with changed claims and its original signature (so the signature no longer holds).
    static func resigned(_ token: String, claims: [String: Any]) -> String {
        let parts = token.split(separator: ".").map(String.init)
        var payload = decodeJSON(parts[1]) ?? [:]
        for (key, value) in claims { payload[key] = value }
        let encoded =
            (try? JSONSerialization.data(withJSONObject: payload))?.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "") ?? ""
        return "\(parts[0]).\(encoded).\(parts[2])"
    }
}

/// The task-management configuration keys the tests read.
enum ConfigurationKeysForTests {
    static let tasksTable = "TASKS_TABLE"
}

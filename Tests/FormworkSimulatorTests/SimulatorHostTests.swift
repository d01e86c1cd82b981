import Formwork
import FormworkRuntime
import FormworkSimulator
import Foundation
import Testing

@Suite("Simulator host: dispatch, control API, clock, TTL, persistence")
struct SimulatorHostTests {
    @Test("requests reach each service by X-Amz-Target; unknown targets and malformed bodies get AWS errors")
    func dispatch() async throws {
        try await withHost { host in
            let tables = try await host.call("ListTables", [:], prefix: "DynamoDB_20120810.")
            #expect(tables.status == 200)
            #expect((tables.json["TableNames"] as? [String])?.contains("taskmgmt-dev-tasks") == true)
            let pools = try await host.call("ListUserPools", ["MaxResults": 5])
            #expect(pools.status == 200)
            let unknown = try await host.call("ListQueues", [:], prefix: "AmazonSQS.")
            #expect(unknown.status == 400 && unknown.errorType == "UnknownOperationException")
            let operation = try await host.call("DescribeEverything", [:])
            #expect(operation.status == 400 && operation.errorType == "UnknownOperationException")
            let malformed = try await host.call("AdminGetUser", rawBody: "{not json")
            #expect(malformed.status == 400 && malformed.errorType == "SerializationException")
            let unsigned = try await host.call("AdminGetUser", ["UserPoolId": host.poolId, "Username": "a@example.com"], signed: false)
            #expect(unsigned.errorType == "MissingAuthenticationTokenException")
        }
    }

    @Test("control API: health, endpoints, resources with names and ARNs, discovery documents")
    func controlAPI() async throws {
        try await withHost { host in
            #expect(try await host.get("/_formwork/health").json["status"] as? String == "ok")
            let endpoints = try await host.get("/_formwork/endpoints").json
            #expect(endpoints["userPoolId"] as? String == host.poolId && endpoints["userPoolClientId"] as? String == host.clientId)
            #expect(endpoints["region"] as? String == "us-east-1" && endpoints["cognitoEndpoint"] as? String == host.simulator.endpoint)
            #expect((host.poolId.split(separator: "_").last?.count ?? 0) == 9 && host.clientId.count == 26)
            let resources = try #require(try await host.get("/_formwork/resources").json["resources"] as? [[String: Any]])
            #expect(resources.count == host.simulator.architecture.resources.count)
            let table = resources.first { $0["logicalId"] as? String == "TasksTable" }
            #expect(table?["arn"] as? String == "arn:aws:dynamodb:us-east-1:000000000000:table/taskmgmt-dev-tasks")
            let pool = resources.first { $0["logicalId"] as? String == "UserPool" }
            #expect(pool?["name"] as? String == host.poolId)
            let openID = try await host.get("/\(host.poolId)/.well-known/openid-configuration").json
            #expect(openID["issuer"] as? String == "\(host.simulator.endpoint)/\(host.poolId)")
            let keys = try await host.get("/\(host.poolId)/.well-known/jwks.json").json["keys"] as? [[String: String]]
            #expect(keys?.first?["alg"] == "RS256" && keys?.first?["kty"] == "RSA")
            #expect(try await host.get("/us-east-1_missing/.well-known/jwks.json").status == 404)
        }
    }

    @Test("the clock: read, advance, set, bad input; virtual time stands still")
    func clock() async throws {
        try await withHost { host in
            let start = try await host.get("/_formwork/clock").json
            #expect(start["now"] as? String == "2026-12-01T09:00:00Z" && start["mode"] as? String == "virtual")
            let advanced = try await host.post("/_formwork/clock", #"{"advance":"PT25H"}"#).json
            #expect(advanced["now"] as? String == "2026-12-02T10:00:00Z")
            let combined = try await host.post("/_formwork/clock", #"{"advance":"P1DT30M"}"#).json
            #expect(combined["now"] as? String == "2026-12-03T10:30:00Z")
            let set = try await host.post("/_formwork/clock", #"{"set":"2027-01-01T00:00:00Z"}"#).json
            #expect(set["now"] as? String == "2027-01-01T00:00:00Z")
            let bads = [
                #"{"advance":"25 hours"}"#, #"{"advance":"P1M"}"#, #"{"set":"yesterday"}"#, #"{}"#, "nonsense",
                #"{"advance":"P200000000000000D"}"#, #"{"advance":"PT99999999999999999999999999999999999999S"}"#, #"{"set":"0001-01-01T00:00:00Z"}"#,
            ]
            for bad in bads {
                let answer = try await host.post("/_formwork/clock", bad)
                #expect(answer.status == 400 && answer.json["message"] != nil, "\(bad)")
            }
            try await Task.sleep(for: .milliseconds(20))
            #expect(host.simulator.clock.now() == Date(timeIntervalSince1970: 1_798_761_600))
        }
    }

    @Test("a real clock follows the wall clock and can be shifted")
    func realClock() {
        let wall = ManualClock(start: simulatorStart)
        let clock = SimulatorClock.real(system: wall.clock)
        #expect(clock.now() == simulatorStart)
        wall.advance(by: 10)
        clock.advance(by: 3600)
        #expect(clock.now() == simulatorStart.addingTimeInterval(3610))
        clock.set(to: simulatorStart)
        wall.advance(by: 5)
        #expect(clock.now() == simulatorStart.addingTimeInterval(5))
    }

    @Test("TTL: expired items disappear when the clock passes them; others stay")
    func timeToLive() async throws {
        try await withHost(architecture: selfSignUpArchitecture()) { host in
            let now = Int(simulatorStart.timeIntervalSince1970)
            let items: [(String, AttributeValue?)] = [
                ("soon", .number(String(now + 60))), ("later", .number(String(now + 7200))), ("never", nil),
                ("ancient", .number(String(now - 6 * 365 * 86_400))), ("text", .string(String(now + 60))),
            ]
            for (id, expiry) in items {
                var item: TableItem = ["id": .string(id)]
                item["expiresAt"] = expiry
                try await host.simulator.tables.putItem(table: "sandbox-sessions", item: item)
            }
            #expect(try await host.post("/_formwork/clock", #"{"advance":"PT2M"}"#).status == 200)
            func present(_ id: String) async throws -> Bool {
                try await host.simulator.tables.getItem(table: "sandbox-sessions", key: ["id": .string(id)]) != nil
            }
            #expect(try await present("soon") == false)
            for id in ["later", "never", "ancient", "text"] {
                #expect(try await present(id), "\(id)")
            }
            try await host.simulator.advanceClock(by: 7200)
            #expect(try await present("later") == false)
        }
    }

    @Test("users, keys and items survive a restart; state the model dropped is reported and kept")
    func persistence() async throws {
        let directory = temporaryStateDirectory()
        let (kid, username) = try await withHost(directory: directory) { host in
            let username = try await host.invite("ivy@example.com", groups: ["Admin"])
            try await host.call(
                "AdminSetUserPassword", ["UserPoolId": host.poolId, "Username": "ivy@example.com", "Password": "Permanent-Pass1!", "Permanent": true])
            try await host.call("PutItem", ["TableName": "taskmgmt-dev-tasks", "Item": ["taskId": ["S": "t1"]]], prefix: "DynamoDB_20120810.")
            let keys = try await host.get("/\(host.poolId)/.well-known/jwks.json").json["keys"] as? [[String: String]]
            return (keys?.first?["kid"] ?? "", username)
        }
        try await withHost(directory: directory) { host in
            let signedIn = try await host.signIn("ivy@example.com", "Permanent-Pass1!")
            let id = (signedIn.json["AuthenticationResult"] as? [String: Any])?["IdToken"] as? String ?? ""
            #expect(decodeJSON(String(id.split(separator: ".").first ?? ""))?["kid"] as? String == kid)
            #expect(decodeJSON(String(id.split(separator: ".").dropFirst().first ?? ""))?["cognito:groups"] as? [String] == ["Admin"])
            let item = try await host.call("GetItem", ["TableName": "taskmgmt-dev-tasks", "Key": ["taskId": ["S": "t1"]]], prefix: "DynamoDB_20120810.")
            #expect(item.json["Item"] != nil)
            #expect(host.simulator.notices.isEmpty)
        }
        try await withHost(architecture: selfSignUpArchitecture(), directory: directory) { host in
            let notices = host.simulator.notices.joined(separator: "\n")
            #expect(notices.contains("1 item(s) of table 'taskmgmt-dev-tasks'"))
            #expect(notices.contains("1 user(s) of user pool 'us-east-1_"))
        }
        try await withHost(directory: directory) { host async throws in
            #expect(try await host.call("AdminGetUser", ["UserPoolId": host.poolId, "Username": username]).status == 200)
        }
    }

    @Test("seeding users is idempotent and checks the pool's rules")
    func seeding() async throws {
        try await withHost { host async throws in
            let identity = host.simulator.identity
            #expect(try identity.seed(poolId: host.poolId, email: "jo@example.com", password: "Permanent-Pass1!", groups: ["Admin"]))
            #expect(try identity.seed(poolId: host.poolId, email: "jo@example.com", password: "Permanent-Pass1!", groups: ["Admin"]) == false)
            #expect(try await host.signIn("jo@example.com", "Permanent-Pass1!").json["AuthenticationResult"] != nil)
            #expect(throws: DirectoryError.self) { try identity.seed(poolId: host.poolId, email: "kim@example.com", password: "weak", groups: []) }
            let refused = try await host.call("AdminGetUser", ["UserPoolId": host.poolId, "Username": "kim@example.com"])
            #expect(refused.errorType == "UserNotFoundException", "a refused seed leaves no user behind")
            #expect(throws: DirectoryError.self) {
                try identity.seed(poolId: host.poolId, email: "kim@example.com", password: "Permanent-Pass1!", groups: ["Owners"])
            }
            #expect(try host.mail(to: "jo@example.com").isEmpty, "seeded users get no invitation")
        }
    }
}

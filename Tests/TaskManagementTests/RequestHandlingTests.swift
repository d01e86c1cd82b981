import Foundation
import FormworkRuntime
import Testing
import TaskManagement

@Suite("Requests")
struct RequestHandlingTests {
    @Test("a request without claims answers 401 as the authorizer does", arguments: [
        ("GET", "/me"), ("GET", "/tasks"), ("POST", "/tasks"), ("GET", "/notifications"), ("GET", "/admin/dashboard"),
    ])
    func missingClaims(method: String, path: String) async throws {
        let world = try World()
        let reply = try await world.call(method, path, as: nil, body: method == "POST" ? "{}" : nil)

        #expect(reply.status == 401)
        #expect(reply.body == #"{"message":"Unauthorized"}"#)
    }

    @Test("claims without a sub are not a signed-in caller")
    func claimsWithoutSub() async throws {
        let world = try World()
        let reply = try await world.call("GET", "/me", as: Identity(userId: "", email: "x@example.com", groups: "Admin"))
        #expect(reply.status == 401)
    }

    @Test("malformed JSON answers 400 MalformedJSON", arguments: ["{", "{\"title\": }", "not json", "[1,"])
    func malformedJSON(body: String) async throws {
        let world = try World()
        let admin = try await world.admin()

        let reply = try await world.call("POST", "/tasks", as: admin, body: body)

        #expect(reply.status == 400)
        #expect(try reply.error.code == "MalformedJSON")
    }

    @Test("a missing body or a body that is not an object answers 400")
    func notAnObject() async throws {
        let world = try World()
        let admin = try await world.admin()

        let missing = try await world.call("POST", "/tasks", as: admin)
        #expect(missing.status == 400)
        #expect(try missing.error.code == "MissingBody")

        let array = try await world.call("POST", "/tasks", as: admin, body: "[1, 2]")
        #expect(array.status == 400)
        #expect(try array.error.has("body", "must be an object"))
    }

    @Test("wrong types are reported field by field")
    func wrongTypes() async throws {
        let world = try World()
        let admin = try await world.admin()

        let reply = try await world.call(
            "POST", "/tasks", as: admin,
            body: #"{"title": 5, "assigneeId": null, "deadline": "tomorrow", "priority": "urgent"}"#)

        #expect(reply.status == 400)
        let error = try reply.error
        #expect(error.has("title", "must be a string"))
        #expect(error.has("assigneeId", "must be a string"))
        #expect(error.has("deadline", "must be an RFC 3339 date-time such as 2026-12-01T17:00:00Z"))
        #expect(error.has("priority", "must be one of: low, medium, high"))
    }

    @Test("an unknown route answers 404, a known one with another method 405")
    func unknownRoutes() async throws {
        let world = try World()
        let admin = try await world.admin()

        #expect(try await world.call("GET", "/nowhere", as: admin).status == 404)
        let wrongMethod = try await world.call("PUT", "/tasks", as: admin, body: "{}")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["Allow"] == "POST, GET")
    }

    @Test("without a resource template, the route is found from the path")
    func routesByPath() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let task = try await world.createTask("Report", for: bo, dueIn: 48, by: admin)

        let reply = try await world.call("GET", "/tasks/\(task.taskId)", as: bo, resource: "")

        #expect(reply.status == 200)
        #expect(try reply.decode(TaskReply.self).taskId == task.taskId)
    }

    @Test("GET /health answers without a token")
    func health() async throws {
        let world = try World()
        let reply = try await world.call("GET", "/health", as: nil)

        #expect(reply.status == 200)
        #expect(reply.body == #"{"status":"ok"}"#)
    }

    @Test("a missing setting is a configuration error, named in the answer")
    func missingConfiguration() async throws {
        let world = try World(environmentChanges: [ConfigurationKeys.tasksTable: nil])
        let admin = Identity(userId: "admin-1", email: "admin@example.com", groups: "Admin")

        let reply = try await world.call("GET", "/tasks", as: admin)

        #expect(reply.status == 500)
        #expect(try reply.error.code == "ConfigurationError")
        #expect(try reply.error.message.contains("TASKS_TABLE"))
    }

    @Test("the groups claim is read in both of Cognito's forms")
    func groupForms() async throws {
        let world = try World()
        for groups in ["[TeamMember Admin]", "TeamMember,Admin"] {
            let admin = Identity(userId: "admin-1", email: "admin@example.com", groups: groups)
            #expect(try await world.call("GET", "/admin/dashboard", as: admin).status == 200)
        }
    }
}

import Foundation
import FormworkRuntime
import Testing

@Suite("Users")
struct UserManagementTests {
    @Test("an administrator invites a user: Cognito user, group, table item and invitation")
    func adminCreatesUser() async throws {
        let world = try World()
        let admin = try await world.admin()

        let reply = try await world.call(
            "POST", "/users", as: admin,
            body: json(["email": "Ada@Example.com", "name": "Ada Lovelace", "role": "member"]))

        #expect(reply.status == 201)
        let user = try reply.decode(UserReply.self)
        #expect(user.email == "ada@example.com")
        #expect(user.name == "Ada Lovelace")
        #expect(user.role == "member")
        #expect(user.enabled)
        #expect(user.createdAt == world.now)

        let pooled = try #require(await world.directory.user("ada@example.com"))
        #expect(pooled.sub == user.userId)
        #expect(pooled.attributes["email"] == "ada@example.com")
        #expect(pooled.attributes["name"] == "Ada Lovelace")
        #expect(await world.directory.groupNames("ada@example.com") == ["TeamMember"])
        #expect(await world.directory.invitations == ["ada@example.com"])

        let stored = await world.tables.items(in: "Users").first { $0["userId"] == .string(user.userId) }
        #expect(stored?["email"] == "ada@example.com")
        #expect(stored?["role"] == "member")
        #expect(stored?["enabled"] == .bool(true))
    }

    @Test("inviting an address twice answers 409")
    func duplicateEmail() async throws {
        let world = try World()
        let admin = try await world.admin()
        _ = try await world.invite("ada@example.com", name: "Ada", by: admin)

        let reply = try await world.call(
            "POST", "/users", as: admin, body: json(["email": "ada@example.com", "name": "Ada", "role": "admin"]))

        #expect(reply.status == 409)
        #expect(try reply.error.code == "UserExists")
    }

    @Test("a user already in the pool but not in the table is recorded, without a second invitation")
    func finishesHalfDoneInvitation() async throws {
        let world = try World()
        let admin = try await world.admin()
        let earlier = try await world.directory.adminCreateUser(username: "bo@example.com", attributes: ["email": "bo@example.com"])

        let reply = try await world.call(
            "POST", "/users", as: admin, body: json(["email": "bo@example.com", "name": "Bo", "role": "admin"]))

        #expect(reply.status == 201)
        #expect(try reply.decode(UserReply.self).userId == earlier.sub)
        #expect(await world.directory.groupNames("bo@example.com") == ["Admin"])
        #expect(await world.directory.invitations == ["bo@example.com"])
    }

    @Test("an invitation is checked against the CreateUser schema")
    func invalidInvitation() async throws {
        let world = try World()
        let admin = try await world.admin()

        let reply = try await world.call(
            "POST", "/users", as: admin, body: json(["email": "not-an-address", "role": "boss"]))

        #expect(reply.status == 400)
        let error = try reply.error
        #expect(error.code == "ValidationFailed")
        #expect(error.has("email", "must be an e-mail address"))
        #expect(error.has("name", "is required"))
        #expect(error.has("role", "must be one of: admin, member"))
        #expect(await world.directory.invitations.isEmpty)
    }

    @Test("members are refused every administrator route with 403")
    func memberForbidden() async throws {
        let world = try World()
        let admin = try await world.admin()
        let member = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let task = try await world.createTask("Report", for: member, dueIn: 48, by: admin)

        let attempts: [(String, String, String?)] = [
            ("POST", "/users", json(["email": "cy@example.com", "name": "Cy", "role": "admin"])),
            ("GET", "/users", nil),
            ("PATCH", "/users/\(member.userId)", json(["role": "admin"])),
            ("POST", "/tasks", json(["title": "x", "assigneeId": .string(member.userId), "deadline": .string(world.deadline(in: 5))])),
            ("DELETE", "/tasks/\(task.taskId)", nil),
            ("GET", "/admin/dashboard", nil),
        ]
        for (method, path, body) in attempts {
            let reply = try await world.call(method, path, as: member, body: body)
            #expect(reply.status == 403, "\(method) \(path)")
            #expect(try reply.error.code == "Forbidden")
        }
        #expect(await world.directory.user("cy@example.com") == nil)
        #expect(await world.directory.groupNames(member.email) == ["TeamMember"])
    }

    @Test("GET /me answers the caller's own user, recording a first administrator from its token")
    func me() async throws {
        let world = try World()
        let admin = try await world.admin()
        let member = try await world.invite("bo@example.com", name: "Bo", by: admin)

        let adminMe = try await world.call("GET", "/me", as: admin).decode(UserReply.self)
        #expect(adminMe.userId == admin.userId)
        #expect(adminMe.role == "admin")
        #expect(adminMe.email == "admin@example.com")

        let memberMe = try await world.call("GET", "/me", as: member).decode(UserReply.self)
        #expect(memberMe.userId == member.userId)
        #expect(memberMe.name == "Bo")
        #expect(memberMe.role == "member")
    }

    @Test("a member may read itself but not other users")
    func readingUsers() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let cy = try await world.invite("cy@example.com", name: "Cy", by: admin)

        #expect(try await world.call("GET", "/users/\(bo.userId)", as: bo).status == 200)
        #expect(try await world.call("GET", "/users/\(cy.userId)", as: bo).status == 403)
        #expect(try await world.call("GET", "/users/\(cy.userId)", as: admin).decode(UserReply.self).name == "Cy")
        #expect(try await world.call("GET", "/users/nobody", as: admin).status == 404)

        let list = try await world.call("GET", "/users", as: admin).decode(ListReply<UserReply>.self)
        #expect(list.items.map(\.email) == ["admin@example.com", "bo@example.com", "cy@example.com"])
    }

    @Test("a role change moves the Cognito group; enabled:false disables sign-in")
    func updateUser() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)

        let promoted = try await world.call(
            "PATCH", "/users/\(bo.userId)", as: admin, body: json(["role": "admin", "name": "Bo Admin"]))
        #expect(promoted.status == 200)
        #expect(try promoted.decode(UserReply.self).role == "admin")
        #expect(await world.directory.groupNames("bo@example.com") == ["Admin"])
        #expect(await world.directory.user("bo@example.com")?.attributes["name"] == "Bo Admin")

        let disabled = try await world.call("PATCH", "/users/\(bo.userId)", as: admin, body: json(["enabled": false]))
        #expect(try disabled.decode(UserReply.self).enabled == false)
        #expect(await world.directory.user("bo@example.com")?.enabled == false)

        let empty = try await world.call("PATCH", "/users/\(bo.userId)", as: admin, body: "{}")
        #expect(empty.status == 400)
        #expect(try empty.error.has("body", "must have at least 1 field"))

        #expect(try await world.call("PATCH", "/users/nobody", as: admin, body: json(["name": "X"])).status == 404)
    }
}

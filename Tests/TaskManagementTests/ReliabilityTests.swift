import FormworkRuntime
import Foundation
import TaskManagement
import Testing

/// The faults a review found in the handlers, each proved fixed: these tests failed before.
@Suite("Handlers under failure and concurrency")
struct ReliabilityTests {
    private func notifications(_ world: World, for user: Identity, type: String) async throws -> [NotificationReply] {
        try await world.call("GET", "/notifications", as: user).decode(ListReply<NotificationReply>.self).items.filter { $0.type == type }
    }

    @Test("a reminder whose e-mail fails is sent by the next run, and only once")
    func failedReminderIsRetried() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        _ = try await world.createTask("Budget", for: bo, dueIn: 10, by: admin)

        world.faults.fail(.sendEmail)
        await #expect(throws: (any Error).self) { try await world.runSchedule() }
        #expect(await world.outbox.emails.filter { $0.subject == "A task is due soon" }.isEmpty)

        try await world.runSchedule()
        try await world.runSchedule()
        #expect(await world.outbox.emails.filter { $0.subject == "A task is due soon" }.map(\.to) == [["bo@example.com"]])
        #expect(try await notifications(world, for: bo, type: "deadline_reminder").count == 1)
    }

    @Test("two overlapping runs send one reminder")
    func overlappingRuns() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        _ = try await world.createTask("Budget", for: bo, dueIn: 10, by: admin)
        async let first: Void = world.runSchedule()
        async let second: Void = world.runSchedule()
        _ = try await (first, second)
        #expect(await world.outbox.emails.filter { $0.subject == "A task is due soon" }.count == 1)
    }

    @Test("a reassigned task reminds its new assignee, and warns it when overdue")
    func reassignmentClearsMarks() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let cy = try await world.invite("cy@example.com", name: "Cy", by: admin)
        let task = try await world.createTask("Budget", for: bo, dueIn: 10, by: admin)
        try await world.runSchedule()
        let moved = try await world.call(
            "PATCH", "/tasks/\(task.taskId)", as: admin, body: json(["version": 1, "assigneeId": .string(cy.userId)]))
        #expect(moved.status == 200)
        try await world.runSchedule()
        #expect(try await notifications(world, for: cy, type: "deadline_reminder").count == 1)
        world.clock.advance(hours: 11)
        try await world.runSchedule()
        #expect(try await notifications(world, for: cy, type: "task_overdue").count == 1)
        #expect(try await notifications(world, for: bo, type: "task_overdue").isEmpty)
    }

    @Test("a disabled user is refused at once, though its token has not expired")
    func disabledUserRefused() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        #expect(try await world.call("GET", "/tasks", as: bo).status == 200)
        let disabled = try await world.call("PATCH", "/users/\(bo.userId)", as: admin, body: json(["enabled": false]))
        #expect(disabled.status == 200)
        let refused = try await world.call("GET", "/tasks", as: bo)
        #expect(refused.status == 403)
        #expect(try refused.error.code == "AccountDisabled")
        #expect(try await world.call("GET", "/me", as: bo).status == 403)
    }

    @Test("a demoted administrator loses the administrators' routes at once; a promoted member gains them")
    func roleFromTheTable() async throws {
        let world = try World()
        let admin = try await world.admin()
        let ann = try await world.invite("ann@example.com", name: "Ann", role: "admin", by: admin)
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        #expect(try await world.call("GET", "/users", as: ann).status == 200)
        #expect(try await world.call("PATCH", "/users/\(ann.userId)", as: admin, body: json(["role": "member"])).status == 200)
        #expect(try await world.call("GET", "/users", as: ann).status == 403)
        #expect(try await world.call("PATCH", "/users/\(bo.userId)", as: admin, body: json(["role": "admin"])).status == 200)
        #expect(try await world.call("GET", "/users", as: bo).status == 200)
    }

    @Test("the last enabled administrator cannot be demoted or disabled")
    func lastAdmin() async throws {
        let world = try World()
        let admin = try await world.admin()
        for change in [json(["role": "member"]), json(["enabled": false])] {
            let refused = try await world.call("PATCH", "/users/\(admin.userId)", as: admin, body: change)
            #expect(refused.status == 409)
            #expect(try refused.error.code == "LastAdmin")
        }
        #expect(await world.directory.groupNames("admin@example.com") == ["Admin"])
        _ = try await world.invite("ann@example.com", name: "Ann", role: "admin", by: admin)
        #expect(try await world.call("PATCH", "/users/\(admin.userId)", as: admin, body: json(["role": "member"])).status == 200)
    }

    @Test("two administrators stepping down at once leave one administrator")
    func concurrentDemotions() async throws {
        let world = try World()
        let admin = try await world.admin()
        let ann = try await world.invite("ann@example.com", name: "Ann", role: "admin", by: admin)
        async let first = world.call("PATCH", "/users/\(admin.userId)", as: admin, body: json(["role": "member"]))
        async let second = world.call("PATCH", "/users/\(ann.userId)", as: ann, body: json(["role": "member"]))
        let replies = try await [first, second].sorted { $0.status < $1.status }
        #expect(replies.map(\.status) == [200, 409])
        #expect(try replies.last?.error.code == "LastAdmin")
        let users = try await world.simulator.tables.scan(table: world.environment(ConfigurationKeys.usersTable), ScanRequest()).items
        #expect(users.filter { $0["role"]?.stringValue == "admin" }.count == 1)
    }

    @Test("a rename Cognito refuses is a 400, and the table keeps the old name")
    func refusedRename() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        world.faults.fail(.renameUser)
        let refused = try await world.call("PATCH", "/users/\(bo.userId)", as: admin, body: json(["name": "Robert"]))
        #expect(refused.status == 400)
        #expect(try refused.error.has("name", "1 validation error detected: Value at 'name' failed to satisfy constraint"))
        #expect(try await world.call("GET", "/users/\(bo.userId)", as: admin).decode(UserReply.self).name == "Bo")
    }

    @Test("when Cognito fails to disable a user, the table is set back")
    func disableRolledBack() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        world.faults.fail(.disableUser)
        let failed = try await world.call("PATCH", "/users/\(bo.userId)", as: admin, body: json(["enabled": false]))
        #expect(failed.status == 500)
        #expect(try await world.call("GET", "/users/\(bo.userId)", as: admin).decode(UserReply.self).enabled)
        #expect(try await world.call("GET", "/tasks", as: bo).status == 200)
    }

    @Test("an invitation whose group cannot be set leaves no user in the table, and repeating it succeeds")
    func invitationRecoverable() async throws {
        let world = try World()
        let admin = try await world.admin()
        world.faults.fail(.addToGroup)
        let body = json(["email": "dee@example.com", "name": "Dee", "role": "member"])
        #expect(try await world.call("POST", "/users", as: admin, body: body).status == 500)
        let listed = try await world.call("GET", "/users", as: admin).decode(ListReply<UserReply>.self).items
        #expect(!listed.contains { $0.email == "dee@example.com" })
        let repeated = try await world.call("POST", "/users", as: admin, body: body)
        #expect(repeated.status == 201)
        #expect(await world.directory.groupNames("dee@example.com") == ["TeamMember"])
        #expect(await world.directory.invitations.filter { $0 == "dee@example.com" }.count == 1)
    }

    @Test("GET /me without an e-mail claim is a 400, not a 500")
    func meWithoutEmail() async throws {
        let world = try World()
        try world.simulator.identity.seed(poolId: world.poolId, email: "eve@example.com", password: "Eve-Passw0rd!", groups: ["TeamMember"])
        let pooled = try await world.simulator.identity.directory.adminGetUser(userPoolId: world.poolId, username: "eve@example.com")
        let noEmail = Identity(userId: pooled.sub, email: "", groups: "TeamMember")
        let reply = try await world.call("GET", "/me", as: noEmail)
        #expect(reply.status == 400)
        #expect(try reply.error.code == "MissingClaim")
    }

    @Test("DynamoDB throttling is a 429")
    func throttling() async throws {
        let world = try World()
        let admin = try await world.admin()
        world.faults.fail(.throttleTables, times: 5)
        let reply = try await world.call("GET", "/tasks", as: admin)
        #expect(reply.status == 429)
        #expect(try reply.error.code == "Throttled")
    }

    @Test("SNS messages from another topic are ignored; the same message from the blueprint's topic is stored")
    func foreignTopic() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let forged = json([
            "notificationId": "forged-1", "userId": .string(bo.userId), "type": "task_assigned", "taskId": "t-1",
            "message": "Pay this invoice", "createdAt": .string(JSONCoding.formatDate(world.now)), "read": false,
        ])
        try await world.deliver(forged, from: "arn:aws:sns:us-east-1:999999999999:elsewhere")
        #expect(try await notifications(world, for: bo, type: "task_assigned").isEmpty)
        try await world.deliver(forged)
        #expect(try await notifications(world, for: bo, type: "task_assigned").count == 1)
    }
}

import Foundation
import FormworkRuntime
import Testing

@Suite("Changing tasks")
struct TaskUpdateTests {
    @Test("the assignee changes the status; the version moves on and the creator hears of it")
    func memberChangesStatus() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let task = try await world.createTask("Report", for: bo, dueIn: 48, by: admin)
        world.clock.advance(hours: 1)

        let reply = try await world.call(
            "PATCH", "/tasks/\(task.taskId)", as: bo, body: json(["version": 1, "status": "in_progress"]))

        #expect(reply.status == 200)
        let updated = try reply.decode(TaskReply.self)
        #expect(updated.status == "in_progress")
        #expect(updated.version == 2)
        #expect(updated.updatedAt == world.now)
        #expect(updated.createdAt == task.createdAt)

        let adminNotifications = try await world.call("GET", "/notifications", as: admin)
            .decode(ListReply<NotificationReply>.self)
        #expect(adminNotifications.items.map(\.type) == ["task_updated"])
        #expect(adminNotifications.items.first?.taskId == task.taskId)
        #expect(await world.outbox.emails.map(\.to) == [["bo@example.com"], ["admin@example.com"]])
    }

    @Test("the assignee may not change anything but the status: 403")
    func memberChangesTitle() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let task = try await world.createTask("Report", for: bo, dueIn: 48, by: admin)

        for body in [
            json(["version": 1, "title": "Shorter report"]),
            json(["version": 1, "status": "done", "deadline": .string(world.deadline(in: 100))]),
        ] {
            let reply = try await world.call("PATCH", "/tasks/\(task.taskId)", as: bo, body: body)
            #expect(reply.status == 403)
            #expect(try reply.error.code == "Forbidden")
        }
        let unchanged = try await world.call("GET", "/tasks/\(task.taskId)", as: bo).decode(TaskReply.self)
        #expect(unchanged == task)
    }

    @Test("a stale version answers 409 and changes nothing")
    func staleVersion() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let task = try await world.createTask("Report", for: bo, dueIn: 48, by: admin)
        let first = try await world.call(
            "PATCH", "/tasks/\(task.taskId)", as: admin, body: json(["version": 1, "priority": "high"]))
        #expect(first.status == 200)

        let stale = try await world.call(
            "PATCH", "/tasks/\(task.taskId)", as: bo, body: json(["version": 1, "status": "done"]))

        #expect(stale.status == 409)
        #expect(try stale.error.code == "VersionConflict")
        let current = try await world.call("GET", "/tasks/\(task.taskId)", as: admin).decode(TaskReply.self)
        #expect(current.version == 2)
        #expect(current.status == "todo")
        #expect(current.priority == "high")
    }

    @Test("a version alone, or no version, is a 400")
    func versionRules() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let task = try await world.createTask("Report", for: bo, dueIn: 48, by: admin)

        let nothing = try await world.call("PATCH", "/tasks/\(task.taskId)", as: admin, body: json(["version": 1]))
        #expect(nothing.status == 400)
        let noVersion = try await world.call("PATCH", "/tasks/\(task.taskId)", as: admin, body: json(["status": "done"]))
        #expect(try noVersion.error.has("version", "is required"))
        let fraction = try await world.call(
            "PATCH", "/tasks/\(task.taskId)", as: admin, body: #"{"version": 1.5, "status": "done"}"#)
        #expect(try fraction.error.has("version", "must be an integer"))
        let zero = try await world.call(
            "PATCH", "/tasks/\(task.taskId)", as: admin, body: #"{"version": 0, "status": "done"}"#)
        #expect(try zero.error.has("version", "must be at least 1"))
    }

    @Test("a reassignment notifies the new assignee; an unknown one is a 400")
    func reassignment() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let cy = try await world.invite("cy@example.com", name: "Cy", by: admin)
        let task = try await world.createTask("Report", for: bo, dueIn: 48, by: admin)

        let unknown = try await world.call(
            "PATCH", "/tasks/\(task.taskId)", as: admin, body: json(["version": 1, "assigneeId": "nobody"]))
        #expect(unknown.status == 400)
        #expect(try unknown.error.has("assigneeId", "is not a known user"))

        let moved = try await world.call(
            "PATCH", "/tasks/\(task.taskId)", as: admin, body: json(["version": 1, "assigneeId": .string(cy.userId)]))
        #expect(try moved.decode(TaskReply.self).assigneeId == cy.userId)

        let cyNotifications = try await world.call("GET", "/notifications", as: cy).decode(ListReply<NotificationReply>.self)
        #expect(cyNotifications.items.map(\.type) == ["task_assigned"])
        #expect(try await world.call("GET", "/tasks/\(task.taskId)", as: bo).status == 404)
        #expect(try await world.call("GET", "/tasks", as: cy).decode(ListReply<TaskReply>.self).items.count == 1)
    }

    @Test("an administrator deletes a task; it is gone")
    func delete() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let task = try await world.createTask("Report", for: bo, dueIn: 48, by: admin)

        let deleted = try await world.call("DELETE", "/tasks/\(task.taskId)", as: admin)
        #expect(deleted.status == 204)
        #expect(deleted.body.isEmpty)
        #expect(try await world.call("GET", "/tasks/\(task.taskId)", as: admin).status == 404)
        #expect(try await world.call("DELETE", "/tasks/\(task.taskId)", as: admin).status == 404)
    }
}

import Foundation
import FormworkRuntime
import TaskManagement
import Testing

@Suite("Creating tasks")
struct TaskCreationTests {
    @Test("an administrator creates a task: todo, version 1, medium priority by default")
    func createsTask() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)

        let reply = try await world.call(
            "POST", "/tasks", as: admin,
            body: json(["title": "Quarterly report", "assigneeId": .string(bo.userId), "deadline": "2026-12-03T17:00:00Z"]))

        #expect(reply.status == 201)
        let task = try reply.decode(TaskReply.self)
        #expect(task.title == "Quarterly report")
        #expect(task.description == "")
        #expect(task.status == "todo")
        #expect(task.priority == "medium")
        #expect(task.version == 1)
        #expect(task.assigneeId == bo.userId)
        #expect(task.createdBy == admin.userId)
        #expect(task.createdAt == world.now)
        #expect(task.updatedAt == world.now)
        #expect(reply.body.contains(#""deadline":"2026-12-03T17:00:00Z""#))
        #expect(!reply.body.contains("reminderSentAt"))

        let fetched = try await world.call("GET", "/tasks/\(task.taskId)", as: admin).decode(TaskReply.self)
        #expect(fetched == task)
    }

    @Test("a task body is validated: missing title, unknown field, past deadline, unknown assignee")
    func validation() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)

        let missingTitle = try await world.call(
            "POST", "/tasks", as: admin,
            body: json(["assigneeId": .string(bo.userId), "deadline": .string(world.deadline(in: 5))]))
        #expect(missingTitle.status == 400)
        #expect(try missingTitle.error.details == [.init(field: "title", problem: "is required")])

        let unknownField = try await world.call(
            "POST", "/tasks", as: admin,
            body: json([
                "title": "x", "colour": "red", "assigneeId": .string(bo.userId), "deadline": .string(world.deadline(in: 5)),
            ]))
        #expect(unknownField.status == 400)
        #expect(try unknownField.error.details == [.init(field: "colour", problem: "is not an allowed field")])

        let pastAndUnknown = try await world.call(
            "POST", "/tasks", as: admin,
            body: json(["title": "x", "assigneeId": "nobody", "deadline": .string(world.deadline(in: -1))]))
        #expect(pastAndUnknown.status == 400)
        let error = try pastAndUnknown.error
        #expect(error.code == "ValidationFailed")
        #expect(error.has("deadline", "must be in the future"))
        #expect(error.has("assigneeId", "is not a known user"))

        let tooLong = try await world.call(
            "POST", "/tasks", as: admin,
            body: json([
                "title": .string(String(repeating: "é", count: 201)), "assigneeId": .string(bo.userId),
                "deadline": .string(world.deadline(in: 5)),
            ]))
        #expect(try tooLong.error.has("title", "must be at most 200 characters long"))

        #expect(await world.tables.items(in: "Tasks").isEmpty)
        #expect(await world.tables.items(in: "Notifications").isEmpty)
    }

    @Test("the assignee gets a task_assigned notification: stored, published and e-mailed")
    func notifiesAssignee() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)

        let task = try await world.createTask("Quarterly report", for: bo, dueIn: 48, by: admin)

        let notifications = try await world.call("GET", "/notifications", as: bo).decode(ListReply<NotificationReply>.self)
        let notification = try #require(notifications.items.first)
        #expect(notifications.items.count == 1)
        #expect(notification.type == "task_assigned")
        #expect(notification.taskId == task.taskId)
        #expect(notification.userId == bo.userId)
        #expect(notification.read == false)
        #expect(notification.message.contains("Quarterly report"))

        let stored = try #require(await world.tables.items(in: "Notifications").first)
        let expiresAt = try #require(stored["expiresAt"]?.intValue)
        #expect(expiresAt == Int(world.now.timeIntervalSince1970) + 90 * 24 * 3600)

        let emails = await world.outbox.emails
        #expect(emails.count == 1)
        #expect(emails.first?.to == ["bo@example.com"])
        #expect(emails.first?.from == world.environment(ConfigurationKeys.senderEmail))
        #expect(emails.first?.body.contains("Quarterly report") == true)

        let published = await world.outbox.published
        #expect(published.count == 1)
        #expect(published.first?.topicArn == world.environment(ConfigurationKeys.notificationsTopicArn))
        #expect(published.first?.attributes["type"] == .string("task_assigned"))
        let message = try JSONCoding.decode(NotificationReply.self, from: Data((published.first?.message ?? "").utf8))
        #expect(message == notification)
    }
}

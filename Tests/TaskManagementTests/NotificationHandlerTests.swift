import FormworkRuntime
import Foundation
import TaskManagement
import Testing

@Suite("Notification function")
struct NotificationHandlerTests {
    /// The notifications stored for `user`, by type.
    private func types(_ world: World, for user: Identity) async throws -> [String] {
        try await world.call("GET", "/notifications", as: user).decode(ListReply<NotificationReply>.self)
            .items.map(\.type).sorted()
    }

    @Test("a reminder goes out once, however often the schedule fires")
    func remindersOnce() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        _ = try await world.createTask("Soon", for: bo, dueIn: 10, by: admin)
        _ = try await world.createTask("Later", for: bo, dueIn: 40, by: admin)
        let done = try await world.createTask("Done already", for: bo, dueIn: 5, by: admin)
        _ = try await world.call("PATCH", "/tasks/\(done.taskId)", as: bo, body: json(["version": 1, "status": "done"]))
        let emailsBefore = await world.outbox.emails.count

        try await world.runSchedule()
        try await world.runSchedule()

        #expect(try await types(world, for: bo) == ["deadline_reminder", "task_assigned", "task_assigned", "task_assigned"])
        let emails = await world.outbox.emails.dropFirst(emailsBefore)
        #expect(emails.map(\.subject) == ["A task is due soon"])
        #expect(emails.first?.body.contains("Soon") == true)

        world.clock.advance(hours: 20)
        try await world.runSchedule()
        try await world.runSchedule()
        let reminders = try await types(world, for: bo).filter { $0 == "deadline_reminder" }
        #expect(reminders.count == 2)
    }

    @Test("on the blueprint's own schedule, a task due in 20 hours gets one reminder and one overdue notice, however far the clock jumps")
    func scheduledEndToEnd() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        _ = try await world.createTask("Quarterly report", for: bo, dueIn: 20, by: admin)
        let before = await world.outbox.emails.count

        try await world.simulator.advanceClock(by: 30 * 60)
        #expect(await world.outbox.emails.count == before)

        try await world.simulator.advanceClock(by: 25 * 3600)
        try await world.simulator.advanceClock(by: 3 * 86_400)
        let sent = await world.outbox.emails.dropFirst(before)
        #expect(sent.filter { $0.subject == "A task is due soon" }.map(\.to) == [["bo@example.com"]])
        #expect(sent.filter { $0.subject == "A task is overdue" }.map(\.to).sorted { $0[0] < $1[0] } == [["admin@example.com"], ["bo@example.com"]])
        #expect(sent.first?.from == "notifications@taskmgmt.example.com")

        // The schedule fired every hour after the start, 97 times; the topic delivered each of
        // the four published notifications (the assignment, the reminder, two overdue notices)
        // to the function, which found it stored.
        let log = try world.simulator.functions.logs.lines("/aws/lambda/taskmgmt-dev-notification").map(\.message)
        #expect(log.filter { $0.hasPrefix("INFO Deadline sweep:") }.count == 97)
        #expect(log.filter { $0.contains("already delivered") }.count == 4)
        #expect(try world.simulator.failures.failures().isEmpty)
    }

    @Test("an overdue task notifies the assignee and the creator once")
    func overdueOnce() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        _ = try await world.createTask("Report", for: bo, dueIn: 2, by: admin)
        try await world.runSchedule()
        world.clock.advance(hours: 3)

        try await world.runSchedule()
        try await world.runSchedule()

        #expect(try await types(world, for: bo) == ["deadline_reminder", "task_assigned", "task_overdue"])
        #expect(try await types(world, for: admin) == ["task_overdue"])
        let overdueEmails = await world.outbox.emails.filter { $0.subject == "A task is overdue" }
        #expect(overdueEmails.map(\.to).sorted { $0[0] < $1[0] } == [["admin@example.com"], ["bo@example.com"]])
    }

    @Test("a new deadline earns a new reminder")
    func newDeadline() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let task = try await world.createTask("Report", for: bo, dueIn: 5, by: admin)
        try await world.runSchedule()

        let moved = try await world.call(
            "PATCH", "/tasks/\(task.taskId)", as: admin,
            body: json(["version": 1, "deadline": .string(world.deadline(in: 30))]))
        #expect(moved.status == 200)
        try await world.runSchedule()
        world.clock.advance(hours: 10)
        try await world.runSchedule()
        try await world.runSchedule()

        let reminders = try await types(world, for: bo).filter { $0 == "deadline_reminder" }
        #expect(reminders.count == 2)
    }

    @Test("the reminder-window parameter sets how far ahead reminders look")
    func reminderWindow() async throws {
        let world = try World(reminderWindowHours: "2")
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        _ = try await world.createTask("Report", for: bo, dueIn: 5, by: admin)

        try await world.runSchedule()
        #expect(try await types(world, for: bo) == ["task_assigned"])

        world.clock.advance(hours: 3.5)
        try await world.runSchedule()
        #expect(try await types(world, for: bo) == ["deadline_reminder", "task_assigned"])
    }

    @Test("a published notification is stored and e-mailed once; our own are already delivered")
    func snsDelivery() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        _ = try await world.createTask("Report", for: bo, dueIn: 48, by: admin)
        let ours = try #require(await world.outbox.published.first?.message)
        let emailsBefore = await world.outbox.emails.count

        try await world.deliver(ours)
        #expect(await world.outbox.emails.count == emailsBefore)

        let foreign = json([
            "notificationId": "external-1", "userId": .string(bo.userId), "type": "task_updated", "taskId": "t-9",
            "message": "Updated elsewhere.", "createdAt": .string(JSONCoding.formatDate(world.now)), "read": true,
        ])
        try await world.deliver(foreign)
        try await world.deliver(foreign)
        try await world.deliver("not a notification")

        let emails = await world.outbox.emails.dropFirst(emailsBefore)
        #expect(emails.map(\.to) == [["bo@example.com"]])
        let stored = try await world.call("GET", "/notifications", as: bo).decode(ListReply<NotificationReply>.self)
        let external = try #require(stored.items.first { $0.notificationId == "external-1" })
        #expect(external.read == false)
        #expect(stored.items.count == 2)
    }
}

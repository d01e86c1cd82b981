import Foundation
import FormworkRuntime
import Testing

private struct DashboardReply: Decodable {
    struct Totals: Decodable, Equatable {
        var todo: Int
        var in_progress: Int
        var blocked: Int
        var done: Int
    }

    struct Assignee: Decodable, Equatable {
        var userId: String
        var name: String
        var open: Int
        var done: Int
        var overdue: Int
    }

    var totals: Totals
    var overdue: Int
    var dueSoon: Int
    var completionRate: Double
    var byAssignee: [Assignee]
}

@Suite("Dashboard")
struct DashboardTests {
    @Test("totals by status, overdue, due soon, completion rate and each assignee's share")
    func totals() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let cy = try await world.invite("cy@example.com", name: "Cy", by: admin)
        let late = try await world.createTask("Will be late", for: bo, dueIn: 1, by: admin)
        let finished = try await world.createTask("Finished", for: bo, dueIn: 1, by: admin)
        _ = try await world.createTask("Due soon", for: cy, dueIn: 20, by: admin)
        let blocked = try await world.createTask("Blocked", for: cy, dueIn: 100, by: admin)
        _ = try await world.call("PATCH", "/tasks/\(finished.taskId)", as: bo, body: json(["version": 1, "status": "done"]))
        _ = try await world.call("PATCH", "/tasks/\(blocked.taskId)", as: cy, body: json(["version": 1, "status": "blocked"]))
        _ = try await world.call("PATCH", "/tasks/\(late.taskId)", as: bo, body: json(["version": 1, "status": "in_progress"]))
        world.clock.advance(hours: 2)

        let reply = try await world.call("GET", "/admin/dashboard", as: admin)

        #expect(reply.status == 200)
        let dashboard = try reply.decode(DashboardReply.self)
        #expect(dashboard.totals == .init(todo: 1, in_progress: 1, blocked: 1, done: 1))
        #expect(dashboard.overdue == 1)
        #expect(dashboard.dueSoon == 1)
        #expect(dashboard.completionRate == 0.25)
        #expect(dashboard.byAssignee == [
            .init(userId: bo.userId, name: "Bo", open: 1, done: 1, overdue: 1),
            .init(userId: cy.userId, name: "Cy", open: 2, done: 0, overdue: 0),
        ])
    }

    @Test("with no tasks the completion rate is 0")
    func empty() async throws {
        let world = try World()
        let admin = try await world.admin()

        let dashboard = try await world.call("GET", "/admin/dashboard", as: admin).decode(DashboardReply.self)

        #expect(dashboard.totals == .init(todo: 0, in_progress: 0, blocked: 0, done: 0))
        #expect(dashboard.completionRate == 0)
        #expect(dashboard.byAssignee.isEmpty)
    }

    @Test("reports under /admin/reports/{proxy+}: totals, by-assignee, unknown names 404, members 403")
    func reports() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        _ = try await world.createTask("One", for: bo, dueIn: 30, by: admin)

        let totals = try await world.call("GET", "/admin/reports/totals", as: admin)
        #expect(totals.status == 200)
        #expect(try totals.decode(Summary.self) == Summary(totals: .init(todo: 1, in_progress: 0, blocked: 0, done: 0),
                                                             overdue: 0, dueSoon: 0, completionRate: 0))
        let byAssignee = try await world.call("GET", "/admin/reports/by-assignee", as: admin)
        #expect(try byAssignee.decode(Items.self).items == [.init(userId: bo.userId, name: "Bo", open: 1, done: 0, overdue: 0)])
        #expect(try await world.call("GET", "/admin/reports/nope/deeper", as: admin).status == 404)
        #expect(try await world.call("GET", "/admin/reports/totals", as: bo).status == 403)
        #expect(try await world.call("DELETE", "/admin/reports/totals", as: admin).status == 405)
    }

    private struct Summary: Decodable, Equatable {
        var totals: DashboardReply.Totals
        var overdue: Int
        var dueSoon: Int
        var completionRate: Double
    }

    private struct Items: Decodable {
        var items: [DashboardReply.Assignee]
    }
}

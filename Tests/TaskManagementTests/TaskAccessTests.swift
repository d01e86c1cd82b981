import Foundation
import FormworkRuntime
import Testing

@Suite("Reading tasks")
struct TaskAccessTests {
    /// An administrator, two members, and tasks for each member.
    private func team() async throws -> (World, admin: Identity, bo: Identity, cy: Identity) {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let cy = try await world.invite("cy@example.com", name: "Cy", by: admin)
        _ = try await world.createTask("Bo late", for: bo, dueIn: 72, by: admin)
        _ = try await world.createTask("Bo early", for: bo, dueIn: 24, by: admin)
        _ = try await world.createTask("Cy only", for: cy, dueIn: 48, by: admin)
        return (world, admin, bo, cy)
    }

    @Test("a member lists only their own tasks, newest deadline last")
    func memberSeesOwnTasks() async throws {
        let (world, _, bo, _) = try await team()

        let list = try await world.call("GET", "/tasks", as: bo).decode(ListReply<TaskReply>.self)

        #expect(list.items.map(\.title) == ["Bo early", "Bo late"])
        #expect(list.nextToken == nil)
    }

    @Test("a member filtering by someone else's id is refused")
    func memberFilterForbidden() async throws {
        let (world, _, bo, cy) = try await team()

        #expect(try await world.call("GET", "/tasks", as: bo, query: ["assigneeId": cy.userId]).status == 403)
        let own = try await world.call("GET", "/tasks", as: bo, query: ["assigneeId": bo.userId])
        #expect(try own.decode(ListReply<TaskReply>.self).items.count == 2)
    }

    @Test("another member's task answers 404, to reading and to changing it")
    func othersTaskIsNotFound() async throws {
        let (world, admin, bo, cy) = try await team()
        let cyTasks = try await world.call("GET", "/tasks", as: cy).decode(ListReply<TaskReply>.self)
        let cyTask = try #require(cyTasks.items.first)

        let read = try await world.call("GET", "/tasks/\(cyTask.taskId)", as: bo)
        #expect(read.status == 404)
        #expect(try read.error.code == "NotFound")
        let change = try await world.call(
            "PATCH", "/tasks/\(cyTask.taskId)", as: bo, body: json(["version": 1, "status": "done"]))
        #expect(change.status == 404)

        #expect(try await world.call("GET", "/tasks/\(cyTask.taskId)", as: cy).status == 200)
        #expect(try await world.call("GET", "/tasks/\(cyTask.taskId)", as: admin).status == 200)
        #expect(try await world.call("GET", "/tasks/no-such-task", as: admin).status == 404)
    }

    @Test("an administrator lists every task, or filters by status or assignee")
    func adminFilters() async throws {
        let (world, admin, bo, cy) = try await team()
        let cyTask = try #require(
            try await world.call("GET", "/tasks", as: cy).decode(ListReply<TaskReply>.self).items.first)
        _ = try await world.call(
            "PATCH", "/tasks/\(cyTask.taskId)", as: cy, body: json(["version": 1, "status": "in_progress"]))

        let all = try await world.call("GET", "/tasks", as: admin).decode(ListReply<TaskReply>.self)
        #expect(all.items.map(\.title) == ["Bo early", "Cy only", "Bo late"])

        let todo = try await world.call("GET", "/tasks", as: admin, query: ["status": "todo"])
        #expect(try todo.decode(ListReply<TaskReply>.self).items.map(\.title) == ["Bo early", "Bo late"])

        let bos = try await world.call("GET", "/tasks", as: admin, query: ["assigneeId": bo.userId])
        #expect(try bos.decode(ListReply<TaskReply>.self).items.map(\.title) == ["Bo early", "Bo late"])

        let cysInProgress = try await world.call(
            "GET", "/tasks", as: admin, query: ["assigneeId": cy.userId, "status": "in_progress"])
        #expect(try cysInProgress.decode(ListReply<TaskReply>.self).items.map(\.title) == ["Cy only"])

        let badStatus = try await world.call("GET", "/tasks", as: admin, query: ["status": "finished"])
        #expect(badStatus.status == 400)
        #expect(try badStatus.error.has("status", "must be one of: todo, in_progress, blocked, done"))
    }

    @Test("pages follow nextToken in deadline order", arguments: [[String: String](), ["status": "todo"]])
    func paging(filter: [String: String]) async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        for hour in [5, 1, 4, 2, 3] {
            _ = try await world.createTask("Task \(hour)", for: bo, dueIn: Double(hour), by: admin)
        }

        for caller in [admin, bo] {
            var titles: [String] = []
            var token: String?
            var pages = 0
            repeat {
                var query = filter.merging(["limit": "2"]) { a, _ in a }
                query["nextToken"] = token
                let reply = try await world.call("GET", "/tasks", as: caller, query: query)
                #expect(reply.status == 200)
                let page = try reply.decode(ListReply<TaskReply>.self)
                #expect(page.items.count <= 2)
                titles += page.items.map(\.title)
                token = page.nextToken
                pages += 1
            } while token != nil && pages < 10
            #expect(titles == ["Task 1", "Task 2", "Task 3", "Task 4", "Task 5"])
            #expect(pages == 3)
        }
    }

    @Test("a bad limit or a token this API did not hand out answers 400")
    func badPagingParameters() async throws {
        let (world, admin, bo, _) = try await team()

        for limit in ["0", "101", "ten", "-1", "2.5"] {
            let reply = try await world.call("GET", "/tasks", as: admin, query: ["limit": limit])
            #expect(reply.status == 400, "limit \(limit)")
            #expect(try reply.error.has("limit", "must be a whole number from 1 to 100"))
        }

        // A real token, but for the administrator's list of every task, not for Bo's.
        let adminPage = try await world.call("GET", "/tasks", as: admin, query: ["limit": "1"])
        let adminToken = try #require(try adminPage.decode(ListReply<TaskReply>.self).nextToken)
        let forged = Data(#"{"taskId":{"S":"x"},"assigneeId":{"S":"someone"},"deadline":{"S":"d"}}"#.utf8)
            .base64EncodedString()
        for token in ["%%%", "bm90IGpzb24", forged, "e30", adminToken] {
            let reply = try await world.call("GET", "/tasks", as: bo, query: ["nextToken": token])
            #expect(reply.status == 400, "token \(token)")
            #expect(try reply.error.has("nextToken", "is not a token this API handed out"))
        }
    }
}

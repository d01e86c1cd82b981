import Foundation
import FormworkRuntime
import Testing

@Suite("Notification routes")
struct NotificationRoutesTests {
    @Test("a user lists their own notifications newest first, marks one read, and filters unread")
    func listAndMarkRead() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let cy = try await world.invite("cy@example.com", name: "Cy", by: admin)
        for title in ["First", "Second", "Third"] {
            _ = try await world.createTask(title, for: bo, dueIn: 48, by: admin)
            world.clock.advance(hours: 1)
        }
        _ = try await world.createTask("Cy's", for: cy, dueIn: 48, by: admin)

        let list = try await world.call("GET", "/notifications", as: bo).decode(ListReply<NotificationReply>.self)
        #expect(list.items.count == 3)
        #expect(list.items.map { $0.message.contains("Third") } == [true, false, false])
        #expect(list.items.map { $0.message.contains("First") } == [false, false, true])
        #expect(list.items.allSatisfy { $0.userId == bo.userId })

        let newest = try #require(list.items.first)
        let read = try await world.call("POST", "/notifications/\(newest.notificationId)/read", as: bo)
        #expect(read.status == 204)

        let unread = try await world.call("GET", "/notifications", as: bo, query: ["unread": "true"])
            .decode(ListReply<NotificationReply>.self)
        #expect(unread.items.count == 2)
        #expect(!unread.items.contains { $0.notificationId == newest.notificationId })

        let limited = try await world.call("GET", "/notifications", as: bo, query: ["unread": "true", "limit": "1"])
            .decode(ListReply<NotificationReply>.self)
        #expect(limited.items.map(\.notificationId) == [unread.items[0].notificationId])

        let badFlag = try await world.call("GET", "/notifications", as: bo, query: ["unread": "yes"])
        #expect(badFlag.status == 400)
    }

    @Test("someone else's notification answers 404 and stays unread")
    func othersNotification() async throws {
        let world = try World()
        let admin = try await world.admin()
        let bo = try await world.invite("bo@example.com", name: "Bo", by: admin)
        let cy = try await world.invite("cy@example.com", name: "Cy", by: admin)
        _ = try await world.createTask("Bo's", for: bo, dueIn: 48, by: admin)
        let bos = try await world.call("GET", "/notifications", as: bo).decode(ListReply<NotificationReply>.self)
        let notification = try #require(bos.items.first)

        let reply = try await world.call("POST", "/notifications/\(notification.notificationId)/read", as: cy)
        #expect(reply.status == 404)
        #expect(try await world.call("POST", "/notifications/nothing/read", as: bo).status == 404)

        let after = try await world.call("GET", "/notifications", as: bo).decode(ListReply<NotificationReply>.self)
        #expect(after.items.first?.read == false)
    }
}

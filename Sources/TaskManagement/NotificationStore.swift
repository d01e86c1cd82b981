import FormworkRuntime
import Foundation

/// The Notifications table: one item per notification, keyed by `notificationId`; the
/// `ByUser` index lists a user's notifications by `createdAt`, and `expiresAt` lets
/// DynamoDB's TTL remove old ones.
struct NotificationStore: Sendable {
    let tables: any TableClient
    let table: String

    /// How long a notification is kept.
    static let retention: TimeInterval = 90 * 24 * 3600

    /// The notification `notificationId`, or `nil`.
    func get(_ notificationId: String) async throws -> NotificationRecord? {
        try await tables.getItem(table: table, key: key(notificationId), consistentRead: true, projection: nil)
            .map(record)
    }

    /// Stores a new notification.
    ///
    /// - Throws: ``TableError/conditionalCheckFailed`` when the id is taken.
    func create(_ notification: NotificationRecord) async throws {
        var item: TableItem = [
            "notificationId": .string(notification.notificationId),
            "userId": .string(notification.userId),
            "type": .string(notification.type.rawValue),
            "taskId": .string(notification.taskId),
            "message": .string(notification.message),
            "createdAt": .string(StoredTime.text(notification.createdAt)),
            "read": .bool(notification.read),
        ]
        let expiresAt = notification.createdAt.addingTimeInterval(Self.retention).timeIntervalSince1970
        item["expiresAt"] = .integer(Int64(expiresAt.rounded(.down)))
        try await tables.putItem(table: table, item: item, condition: .attributeNotExists("notificationId"))
    }

    /// Up to `limit` of the user's notifications, newest first; only unread ones when
    /// `unreadOnly`.
    func list(userId: String, unreadOnly: Bool, limit: Int) async throws -> [NotificationRecord] {
        var request = QueryRequest(
            keyConditionExpression: "#userId = :userId", indexName: IndexNames.byUser,
            expressionAttributeNames: ["#userId": "userId"], expressionAttributeValues: [":userId": .string(userId)],
            limit: limit, scanIndexForward: false)
        if unreadOnly {
            request.filterExpression = "#read = :false"
            request.expressionAttributeNames["#read"] = "read"
            request.expressionAttributeValues[":false"] = .bool(false)
        }
        // The limit counts items read before the filter, so keep reading until enough pass.
        var found: [NotificationRecord] = []
        repeat {
            let page = try await tables.query(table: table, request)
            found += try page.items.map(record)
            request.exclusiveStartKey = page.lastEvaluatedKey
        } while found.count < limit && request.exclusiveStartKey != nil
        return Array(found.prefix(limit))
    }

    /// Marks the notification as read; `false` when it is gone.
    func markRead(_ notificationId: String) async throws -> Bool {
        var update = UpdateBuilder()
        update.set("read", .bool(true))
        do {
            try await tables.updateItem(
                table: table, key: key(notificationId), update: update.expression,
                condition: .attributeExists("notificationId"), returnValues: .none)
            return true
        } catch TableError.conditionalCheckFailed {
            return false
        }
    }

    private func key(_ notificationId: String) -> TableItem {
        ["notificationId": .string(notificationId)]
    }

    private func record(_ item: TableItem) throws -> NotificationRecord {
        let reader = ItemReader(item: item, table: table)
        return NotificationRecord(
            notificationId: try reader.string("notificationId"),
            userId: try reader.string("userId"),
            type: try reader.value("type", as: NotificationType.self),
            taskId: try reader.string("taskId"),
            message: try reader.string("message"),
            createdAt: try reader.date("createdAt"),
            read: try reader.bool("read"))
    }
}

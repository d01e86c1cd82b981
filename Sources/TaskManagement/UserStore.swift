import FormworkRuntime
import Foundation

/// The Users table: one item per user, keyed by `userId` (the Cognito `sub`).
struct UserStore: Sendable {
    let tables: any TableClient
    let table: String

    /// The user `userId`, or `nil`.
    func get(_ userId: String) async throws -> UserRecord? {
        try await tables.getItem(table: table, key: ["userId": .string(userId)]).map(record)
    }

    /// The user with this e-mail address, through the `ByEmail` index.
    func find(email: String) async throws -> UserRecord? {
        let page = try await tables.query(
            table: table,
            QueryRequest(
                keyConditionExpression: "#email = :email", indexName: IndexNames.byEmail,
                expressionAttributeNames: ["#email": "email"], expressionAttributeValues: [":email": .string(email)],
                limit: 1))
        return try page.items.first.map(record)
    }

    /// Every user.
    func all() async throws -> [UserRecord] {
        try await tables.scanAll(table: table).map(record)
    }

    /// Stores a new user.
    ///
    /// - Throws: ``TableError/conditionalCheckFailed`` when the id is taken.
    func create(_ user: UserRecord) async throws {
        try await tables.putItem(table: table, item: item(user), condition: .attributeNotExists("userId"))
    }

    /// Changes the given fields of `user` if it is still as read, and returns it as it is now.
    ///
    /// - Throws: ``TableError/conditionalCheckFailed`` when the user is gone or another change
    ///   came first.
    func update(_ user: UserRecord, name: String?, role: Role?, enabled: Bool?) async throws -> UserRecord {
        var update = UpdateBuilder()
        if let name { update.set("name", .string(name)) }
        if let role { update.set("role", .string(role.rawValue)) }
        if let enabled { update.set("enabled", .bool(enabled)) }
        guard !update.isEmpty else { return user }
        let condition = ConditionExpression(
            "#name = :was_name AND #role = :was_role AND #enabled = :was_enabled",
            names: ["#name": "name", "#role": "role", "#enabled": "enabled"],
            values: [":was_name": .string(user.name), ":was_role": .string(user.role.rawValue), ":was_enabled": .bool(user.enabled)])
        guard
            let updated = try await tables.updateItem(
                table: table, key: ["userId": .string(user.userId)], update: update.expression, condition: condition,
                returnValues: .allNew)
        else { throw TableError.conditionalCheckFailed }
        return try record(updated)
    }

    /// Deletes the user's record (undoing an invitation that could not be finished).
    func delete(_ userId: String) async throws {
        try await tables.deleteItem(table: table, key: ["userId": .string(userId)], condition: nil, returnValues: .none)
    }

    private func item(_ user: UserRecord) -> TableItem {
        [
            "userId": .string(user.userId),
            "email": .string(user.email),
            "name": .string(user.name),
            "role": .string(user.role.rawValue),
            "enabled": .bool(user.enabled),
            "createdAt": .string(StoredTime.text(user.createdAt)),
        ]
    }

    private func record(_ item: TableItem) throws -> UserRecord {
        let reader = ItemReader(item: item, table: table)
        return UserRecord(
            userId: try reader.string("userId"),
            email: try reader.string("email"),
            name: try reader.string("name"),
            role: try reader.value("role", as: Role.self),
            enabled: try reader.bool("enabled"),
            createdAt: try reader.date("createdAt"))
    }
}

import FormworkRuntime
import Foundation

/// The Users table: one item per user, keyed by `userId` (the Cognito `sub`).
struct UserStore: Sendable {
    let tables: any TableClient
    let table: String

    /// The item that serialises changes taking an enabled administrator away: each such change
    /// moves its `version` on, on the condition that it is still what the change read, so two
    /// administrators stepping down at once cannot both pass the last-administrator check.
    static let rosterId = "#administrators"

    /// The user `userId`, or `nil`.
    func get(_ userId: String) async throws -> UserRecord? {
        guard !userId.hasPrefix("#") else { return nil }
        return try await tables.getItem(table: table, key: ["userId": .string(userId)]).map(record)
    }

    /// The version of the administrators' roster (0 before its first change).
    func rosterVersion() async throws -> Int {
        let item = try await tables.getItem(table: table, key: ["userId": .string(Self.rosterId)], consistentRead: true, projection: nil)
        return item?["version"]?.intValue ?? 0
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
        try await tables.scanAll(table: table).filter { $0["userId"]?.stringValue?.hasPrefix("#") != true }.map(record)
    }

    /// Stores a new user.
    ///
    /// - Throws: ``TableError/conditionalCheckFailed`` when the id is taken.
    func create(_ user: UserRecord) async throws {
        try await tables.putItem(table: table, item: item(user), condition: .attributeNotExists("userId"))
    }

    /// Changes the given fields of `user` if it is still as read, and returns it as it is now.
    /// With `rosterVersion`, the change also moves the administrators' roster on from that
    /// version, in one transaction.
    ///
    /// - Throws: ``TableError/conditionalCheckFailed`` when the user is gone or another change
    ///   came first.
    func update(_ user: UserRecord, name: String?, role: Role?, enabled: Bool?, rosterVersion: Int? = nil) async throws -> UserRecord {
        var update = UpdateBuilder()
        if let name { update.set("name", .string(name)) }
        if let role { update.set("role", .string(role.rawValue)) }
        if let enabled { update.set("enabled", .bool(enabled)) }
        guard !update.isEmpty else { return user }
        let condition = ConditionExpression(
            "#name = :was_name AND #role = :was_role AND #enabled = :was_enabled",
            names: ["#name": "name", "#role": "role", "#enabled": "enabled"],
            values: [":was_name": .string(user.name), ":was_role": .string(user.role.rawValue), ":was_enabled": .bool(user.enabled)])
        if let rosterVersion {
            let rosterCondition =
                rosterVersion == 0
                ? ConditionExpression.attributeNotExists("userId")
                : ConditionExpression("#version = :version", names: ["#version": "version"], values: [":version": .integer(rosterVersion)])
            do {
                try await tables.transactWrite([
                    .update(table: table, key: ["userId": .string(user.userId)], update: update.expression, condition: condition),
                    .put(
                        table: table, item: ["userId": .string(Self.rosterId), "version": .integer(rosterVersion + 1)], condition: rosterCondition),
                ])
            } catch TableError.transactionCanceled, TableError.transactionConflict {
                throw TableError.conditionalCheckFailed
            }
            guard let updated = try await get(user.userId) else { throw TableError.conditionalCheckFailed }
            return updated
        }
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

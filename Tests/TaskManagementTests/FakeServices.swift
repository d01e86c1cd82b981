import FormworkRuntime
import Foundation

/// Keeps every log line.
// @unchecked: `collected` is only read or written while `lock` is held.
final class CollectingLogger: HandlerLogger, @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [(LogLevel, String)] = []

    func log(_ level: LogLevel, _ message: String) {
        lock.withLock { collected.append((level, message)) }
    }

    var lines: [(LogLevel, String)] {
        lock.withLock { collected }
    }
}

/// Failures a test asks the functions' clients to produce: each counter is how many of the
/// next such calls fail.
final class Faults: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: [Kind: Int] = [:]

    enum Kind: Hashable {
        case sendEmail, renameUser, addToGroup, disableUser, throttleTables
    }

    func fail(_ kind: Kind, times: Int = 1) { lock.withLock { remaining[kind] = times } }

    /// Whether this call of `kind` fails (and counts it).
    func take(_ kind: Kind) -> Bool {
        lock.withLock {
            guard let left = remaining[kind], left > 0 else { return false }
            remaining[kind] = left - 1
            return true
        }
    }
}

/// SES and SNS, failing e-mail when told to.
struct FaultyNotifications: NotificationClient {
    let wrapped: any NotificationClient
    let faults: Faults

    func publish(topicArn: String, message: String, subject: String?, attributes: [String: SNSMessageAttribute]) async throws -> String {
        try await wrapped.publish(topicArn: topicArn, message: message, subject: subject, attributes: attributes)
    }

    func sendEmail(from: String, to: [String], subject: String, textBody: String?, htmlBody: String?) async throws -> String {
        if faults.take(.sendEmail) { throw NotificationError.other(code: "ServiceUnavailable", message: "SES is unavailable") }
        return try await wrapped.sendEmail(from: from, to: to, subject: subject, textBody: textBody, htmlBody: htmlBody)
    }
}

/// The user pool, refusing renames, group changes or disabling when told to.
struct FaultyDirectory: UserDirectoryClient {
    let wrapped: any UserDirectoryClient
    let faults: Faults

    func adminCreateUser(
        userPoolId: String, username: String, attributes: [String: String], temporaryPassword: String?, suppressInvitation: Bool
    ) async throws -> DirectoryUser {
        try await wrapped.adminCreateUser(
            userPoolId: userPoolId, username: username, attributes: attributes, temporaryPassword: temporaryPassword,
            suppressInvitation: suppressInvitation)
    }
    func adminGetUser(userPoolId: String, username: String) async throws -> DirectoryUser {
        try await wrapped.adminGetUser(userPoolId: userPoolId, username: username)
    }
    func adminUpdateUserAttributes(userPoolId: String, username: String, attributes: [String: String]) async throws {
        if faults.take(.renameUser) { throw DirectoryError.invalidParameter("1 validation error detected: Value at 'name' failed to satisfy constraint") }
        try await wrapped.adminUpdateUserAttributes(userPoolId: userPoolId, username: username, attributes: attributes)
    }
    func adminAddUserToGroup(userPoolId: String, username: String, groupName: String) async throws {
        if faults.take(.addToGroup) { throw DirectoryError.other(code: "InternalErrorException", message: "Cognito failed") }
        try await wrapped.adminAddUserToGroup(userPoolId: userPoolId, username: username, groupName: groupName)
    }
    func adminRemoveUserFromGroup(userPoolId: String, username: String, groupName: String) async throws {
        try await wrapped.adminRemoveUserFromGroup(userPoolId: userPoolId, username: username, groupName: groupName)
    }
    func adminListGroupsForUser(userPoolId: String, username: String) async throws -> [String] {
        try await wrapped.adminListGroupsForUser(userPoolId: userPoolId, username: username)
    }
    func adminDisableUser(userPoolId: String, username: String) async throws {
        if faults.take(.disableUser) { throw DirectoryError.other(code: "InternalErrorException", message: "Cognito failed") }
        try await wrapped.adminDisableUser(userPoolId: userPoolId, username: username)
    }
    func adminEnableUser(userPoolId: String, username: String) async throws {
        try await wrapped.adminEnableUser(userPoolId: userPoolId, username: username)
    }
    func listUsers(userPoolId: String, filter: String?, limit: Int?, paginationToken: String?) async throws -> UserPage {
        try await wrapped.listUsers(userPoolId: userPoolId, filter: filter, limit: limit, paginationToken: paginationToken)
    }
}

/// DynamoDB, throttling reads and writes when told to.
struct FaultyTables: TableClient {
    let wrapped: any TableClient
    let faults: Faults

    private func check() throws {
        if faults.take(.throttleTables) { throw TableError.other(code: "ThrottlingException", message: "Rate of requests exceeds the allowed throughput.") }
    }

    func putItem(table: String, item: TableItem, condition: ConditionExpression?) async throws {
        try check()
        try await wrapped.putItem(table: table, item: item, condition: condition)
    }
    func getItem(table: String, key: TableItem, consistentRead: Bool, projection: ProjectionExpression?) async throws -> TableItem? {
        try check()
        return try await wrapped.getItem(table: table, key: key, consistentRead: consistentRead, projection: projection)
    }
    func updateItem(
        table: String, key: TableItem, update: UpdateExpression, condition: ConditionExpression?, returnValues: ReturnValues
    ) async throws -> TableItem? {
        try check()
        return try await wrapped.updateItem(table: table, key: key, update: update, condition: condition, returnValues: returnValues)
    }
    func deleteItem(table: String, key: TableItem, condition: ConditionExpression?, returnValues: ReturnValues) async throws -> TableItem? {
        try check()
        return try await wrapped.deleteItem(table: table, key: key, condition: condition, returnValues: returnValues)
    }
    func query(table: String, _ request: QueryRequest) async throws -> QueryResult {
        try check()
        return try await wrapped.query(table: table, request)
    }
    func scan(table: String, _ request: ScanRequest) async throws -> ScanResult {
        try check()
        return try await wrapped.scan(table: table, request)
    }
    func transactWrite(_ items: [TransactWriteItem]) async throws {
        try check()
        try await wrapped.transactWrite(items)
    }
    func batchGet(_ requests: [String: BatchGetRequest]) async throws -> BatchGetResult {
        try check()
        return try await wrapped.batchGet(requests)
    }
    func batchWrite(_ requests: [String: [WriteRequest]]) async throws -> BatchWriteResult {
        try check()
        return try await wrapped.batchWrite(requests)
    }
}

import Foundation
import FormworkRuntime

/// Fails every call: the parts of a client a test does not use.
private func unused(_ operation: String) -> TableError {
    .other(code: "NotImplemented", message: "\(operation) is not used by this test")
}

/// A table client that serves `pages` to queries and scans, page `n` starting at the key
/// `["page": n]`; every other operation fails.
struct PagedTable: TableClient {
    var pages: [[TableItem]]

    private func page(startingAt key: TableItem?) -> QueryResult {
        let index = key?["page"]?.intValue ?? 0
        let items = pages.indices.contains(index) ? pages[index] : []
        let next: TableItem? = index + 1 < pages.count ? ["page": .integer(index + 1)] : nil
        return QueryResult(items: items, scannedCount: items.count, lastEvaluatedKey: next)
    }

    func query(table: String, _ request: QueryRequest) async throws -> QueryResult {
        page(startingAt: request.exclusiveStartKey)
    }

    func scan(table: String, _ request: ScanRequest) async throws -> ScanResult {
        page(startingAt: request.exclusiveStartKey)
    }

    func putItem(table: String, item: TableItem, condition: ConditionExpression?) async throws {
        throw unused("putItem")
    }

    func getItem(table: String, key: TableItem, consistentRead: Bool, projection: ProjectionExpression?) async throws -> TableItem? {
        throw unused("getItem")
    }

    func updateItem(
        table: String, key: TableItem, update: UpdateExpression, condition: ConditionExpression?, returnValues: ReturnValues
    ) async throws -> TableItem? {
        throw unused("updateItem")
    }

    func deleteItem(table: String, key: TableItem, condition: ConditionExpression?, returnValues: ReturnValues) async throws -> TableItem? {
        throw unused("deleteItem")
    }

    func transactWrite(_ items: [TransactWriteItem]) async throws {
        throw unused("transactWrite")
    }

    func batchGet(_ requests: [String: BatchGetRequest]) async throws -> BatchGetResult {
        throw unused("batchGet")
    }

    func batchWrite(_ requests: [String: [WriteRequest]]) async throws -> BatchWriteResult {
        throw unused("batchWrite")
    }
}

/// A notification client that refuses everything.
struct SilentNotifications: NotificationClient {
    func publish(topicArn: String, message: String, subject: String?, attributes: [String: SNSMessageAttribute]) async throws -> String {
        throw NotificationError.topicNotFound(topicArn)
    }

    func sendEmail(from: String, to: [String], subject: String, textBody: String?, htmlBody: String?) async throws -> String {
        throw NotificationError.messageRejected("not sending in tests")
    }
}

/// A directory whose `listUsers` serves `pages`, page `n` behind the token `"n"`; every
/// other operation reports the user as missing.
struct PagedDirectory: UserDirectoryClient {
    var pages: [[DirectoryUser]]

    func listUsers(userPoolId: String, filter: String?, limit: Int?, paginationToken: String?) async throws -> UserPage {
        let index = paginationToken.flatMap { Int($0) } ?? 0
        let users = pages.indices.contains(index) ? pages[index] : []
        return UserPage(users: users, paginationToken: index + 1 < pages.count ? String(index + 1) : nil)
    }

    func adminCreateUser(
        userPoolId: String, username: String, attributes: [String: String], temporaryPassword: String?, suppressInvitation: Bool
    ) async throws -> DirectoryUser {
        throw DirectoryError.invalidParameter("read-only directory")
    }

    func adminGetUser(userPoolId: String, username: String) async throws -> DirectoryUser {
        throw DirectoryError.userNotFound("User does not exist.")
    }

    func adminUpdateUserAttributes(userPoolId: String, username: String, attributes: [String: String]) async throws {
        throw DirectoryError.userNotFound("User does not exist.")
    }

    func adminAddUserToGroup(userPoolId: String, username: String, groupName: String) async throws {
        throw DirectoryError.userNotFound("User does not exist.")
    }

    func adminRemoveUserFromGroup(userPoolId: String, username: String, groupName: String) async throws {
        throw DirectoryError.userNotFound("User does not exist.")
    }

    func adminListGroupsForUser(userPoolId: String, username: String) async throws -> [String] {
        throw DirectoryError.userNotFound("User does not exist.")
    }

    func adminDisableUser(userPoolId: String, username: String) async throws {
        throw DirectoryError.userNotFound("User does not exist.")
    }

    func adminEnableUser(userPoolId: String, username: String) async throws {
        throw DirectoryError.userNotFound("User does not exist.")
    }
}

/// Keeps every line it is given.
// @unchecked: `collected` is only read or written while `lock` is held.
/// Parameters from a dictionary.
struct FixedParameters: ParameterClient {
    var values: [String: String] = [:]

    func getParameter(name: String) async throws -> String {
        guard let value = values[name] else { throw ParameterError.parameterNotFound("Parameter \(name) not found.") }
        return value
    }
}

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

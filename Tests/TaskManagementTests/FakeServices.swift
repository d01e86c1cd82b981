import Foundation
import FormworkRuntime

/// Records every publish and e-mail, as the simulator's outbox does.
actor RecordingNotifications: NotificationClient {
    struct Published: Sendable {
        var topicArn: String
        var message: String
        var attributes: [String: SNSMessageAttribute]
    }

    struct Email: Sendable {
        var from: String
        var to: [String]
        var subject: String
        var body: String
    }

    private(set) var published: [Published] = []
    private(set) var emails: [Email] = []

    func publish(
        topicArn: String, message: String, subject: String?, attributes: [String: SNSMessageAttribute]
    ) async throws -> String {
        published.append(Published(topicArn: topicArn, message: message, attributes: attributes))
        return "message-\(published.count)"
    }

    func sendEmail(
        from: String, to: [String], subject: String, textBody: String?, htmlBody: String?
    ) async throws -> String {
        emails.append(Email(from: from, to: to, subject: subject, body: textBody ?? htmlBody ?? ""))
        return "email-\(emails.count)"
    }
}

/// A user pool in memory: users by user name, their groups, and the invitations sent.
actor FakeDirectory: UserDirectoryClient {
    private var users: [String: DirectoryUser] = [:]
    private var groups: [String: Set<String>] = [:]
    private(set) var invitations: [String] = []
    private let clock: Clock

    init(clock: Clock) {
        self.clock = clock
    }

    /// The user named `username`, if any.
    func user(_ username: String) -> DirectoryUser? { users[username] }

    /// The groups of `username`, sorted.
    func groupNames(_ username: String) -> [String] { (groups[username] ?? []).sorted() }

    func adminCreateUser(
        userPoolId: String, username: String, attributes: [String: String], temporaryPassword: String?,
        suppressInvitation: Bool
    ) async throws -> DirectoryUser {
        guard users[username] == nil else { throw DirectoryError.usernameExists("User account already exists") }
        let sub = UUID().uuidString.lowercased()
        var allAttributes = attributes
        allAttributes["sub"] = sub
        let user = DirectoryUser(
            username: username, sub: sub, attributes: allAttributes, status: .forceChangePassword, createdAt: clock.now())
        users[username] = user
        if !suppressInvitation { invitations.append(username) }
        return user
    }

    func adminGetUser(userPoolId: String, username: String) async throws -> DirectoryUser {
        try existing(username)
    }

    func adminUpdateUserAttributes(userPoolId: String, username: String, attributes: [String: String]) async throws {
        var user = try existing(username)
        user.attributes.merge(attributes) { _, new in new }
        users[username] = user
    }

    func adminAddUserToGroup(userPoolId: String, username: String, groupName: String) async throws {
        _ = try existing(username)
        groups[username, default: []].insert(groupName)
    }

    func adminRemoveUserFromGroup(userPoolId: String, username: String, groupName: String) async throws {
        _ = try existing(username)
        groups[username]?.remove(groupName)
    }

    func adminListGroupsForUser(userPoolId: String, username: String) async throws -> [String] {
        _ = try existing(username)
        return groupNames(username)
    }

    func adminDisableUser(userPoolId: String, username: String) async throws {
        var user = try existing(username)
        user.enabled = false
        users[username] = user
    }

    func adminEnableUser(userPoolId: String, username: String) async throws {
        var user = try existing(username)
        user.enabled = true
        users[username] = user
    }

    func listUsers(userPoolId: String, filter: String?, limit: Int?, paginationToken: String?) async throws -> UserPage {
        UserPage(users: users.values.sorted { $0.username < $1.username })
    }

    private func existing(_ username: String) throws -> DirectoryUser {
        guard let user = users[username] else { throw DirectoryError.userNotFound("User does not exist.") }
        return user
    }
}

extension ManualClock {
    /// Moves the clock forward by `hours`.
    func advance(hours: Double) { advance(by: hours * 3600) }
}

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

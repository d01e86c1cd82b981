import Foundation

/// The Cognito user pool admin operations a user-management handler needs. The simulator
/// implements them on its identity service; a deployed function reaches Cognito.
///
/// `username` is the user's user name in the pool (for the task-management pool, the
/// e-mail address). Every method throws ``DirectoryError``.
public protocol UserDirectoryClient: Sendable {
    /// `AdminCreateUser`: creates a user in `FORCE_CHANGE_PASSWORD` status and, unless
    /// `suppressInvitation`, e-mails the temporary password (generated when `nil`).
    func adminCreateUser(
        userPoolId: String,
        username: String,
        attributes: [String: String],
        temporaryPassword: String?,
        suppressInvitation: Bool
    ) async throws -> DirectoryUser

    /// `AdminGetUser`: the user, with attributes and status.
    func adminGetUser(userPoolId: String, username: String) async throws -> DirectoryUser

    /// `AdminUpdateUserAttributes`: sets the given attributes, leaving the others.
    func adminUpdateUserAttributes(userPoolId: String, username: String, attributes: [String: String]) async throws

    /// `AdminAddUserToGroup`.
    func adminAddUserToGroup(userPoolId: String, username: String, groupName: String) async throws

    /// `AdminRemoveUserFromGroup`.
    func adminRemoveUserFromGroup(userPoolId: String, username: String, groupName: String) async throws

    /// `AdminListGroupsForUser`: the names of all the user's groups (every page).
    func adminListGroupsForUser(userPoolId: String, username: String) async throws -> [String]

    /// `AdminDisableUser`: the user can no longer sign in.
    func adminDisableUser(userPoolId: String, username: String) async throws

    /// `AdminEnableUser`: the user can sign in again.
    func adminEnableUser(userPoolId: String, username: String) async throws

    /// `ListUsers`: one page of users, optionally filtered (`email = "a@example.com"`,
    /// `sub ^= "ab"`, as Cognito's filter syntax allows).
    func listUsers(userPoolId: String, filter: String?, limit: Int?, paginationToken: String?) async throws -> UserPage
}

extension UserDirectoryClient {
    /// `AdminCreateUser` with a generated temporary password sent by e-mail.
    public func adminCreateUser(
        userPoolId: String,
        username: String,
        attributes: [String: String]
    ) async throws -> DirectoryUser {
        try await adminCreateUser(
            userPoolId: userPoolId, username: username, attributes: attributes,
            temporaryPassword: nil, suppressInvitation: false)
    }

    /// Every user of the pool matching `filter`, following the pagination tokens.
    public func listAllUsers(userPoolId: String, filter: String? = nil) async throws -> [DirectoryUser] {
        var users: [DirectoryUser] = []
        var token: String?
        repeat {
            let page = try await listUsers(userPoolId: userPoolId, filter: filter, limit: nil, paginationToken: token)
            users += page.users
            token = page.paginationToken
        } while token != nil
        return users
    }
}

/// One page of `ListUsers`.
public struct UserPage: Codable, Equatable, Sendable {
    /// The users on this page.
    public var users: [DirectoryUser]
    /// Where the next page starts; `nil` on the last page.
    public var paginationToken: String?

    /// Creates a page.
    public init(users: [DirectoryUser], paginationToken: String? = nil) {
        self.users = users
        self.paginationToken = paginationToken
    }
}

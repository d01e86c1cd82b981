import FormworkRuntime
import Foundation

/// The user routes: `GET /me`, `POST /users`, `GET /users`, `GET /users/{userId}` and
/// `PATCH /users/{userId}`.
///
/// Users live in the Cognito user pool (user name = e-mail address, group `Admin` or
/// `TeamMember`) and in the Users table (`userId` = the user's `sub`).
public struct UserManagementHandler: RoutedAPIHandler {
    /// The routes this handler answers, and who may call them.
    public static let routes = [meRoute, createUserRoute, listUsersRoute, getUserRoute, updateUserRoute]
    static let meRoute = HandlerRoute("GET", "/me", .signedIn)
    static let createUserRoute = HandlerRoute("POST", "/users", .groups([GroupNames.admin]))
    static let listUsersRoute = HandlerRoute("GET", "/users", .groups([GroupNames.admin]))
    static let getUserRoute = HandlerRoute("GET", "/users/{userId}", .signedIn)
    static let updateUserRoute = HandlerRoute("PATCH", "/users/{userId}", .groups([GroupNames.admin]))

    private let services: Services

    /// Creates the handler with the clients and settings it may use.
    public init(services: Services) {
        self.services = services
    }

    /// Answers one request to a user route.
    public func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse {
        await Router.respond(
            to: request, context: context, routes: Self.routes,
            allowOrigin: services.environment[APIGatewayResponse.allowOriginVariable], users: try? services.userStore(),
            actions: [
                Self.meRoute: { try await me($0) },
                Self.createUserRoute: { try await createUser($0) },
                Self.listUsersRoute: { try await listUsers($0) },
                Self.getUserRoute: { try await getUser($0) },
                Self.updateUserRoute: { try await updateUser($0) },
            ])
    }

    /// `GET /me`: the caller's user. A user who is in the pool but not yet in the table
    /// (such as the first administrator) is recorded from the token's claims.
    private func me(_ request: RouteRequest) async throws -> APIGatewayResponse {
        let caller = try request.caller()
        let users = try services.userStore()
        if let user = try await users.get(caller.userId) { return try .json(user) }
        guard let email = caller.email else {
            throw APIError(
                status: 400, code: "MissingClaim", message: "The token carries no e-mail address; sign in again and send the ID token.")
        }
        let user = UserRecord(
            userId: caller.userId, email: email, name: caller.name ?? email, role: caller.role, enabled: true,
            createdAt: services.now())
        do {
            try await users.create(user)
            return try .json(user)
        } catch TableError.conditionalCheckFailed {
            guard let stored = try await users.get(caller.userId) else { throw APIError.notFound("No such user.") }
            return try .json(stored)
        }
    }

    /// `POST /users`: invites a user. Cognito creates the user and e-mails a temporary
    /// password; the user joins the role's group and is recorded in the table.
    private func createUser(_ request: RouteRequest) async throws -> APIGatewayResponse {
        let body = try BodyValidation.validate(request.event, against: RequestSchemas.createUser)
        let email = (body.string("email") ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let name = body.string("name") ?? ""
        guard let role = body.string("role").flatMap(Role.init(rawValue:)) else {
            throw APIError.invalid("role", "is required")
        }
        let poolId = try services.requiredEnvironment(ConfigurationKeys.userPoolId)
        let users = try services.userStore()
        if try await users.find(email: email) != nil { throw Self.userExists(email) }

        let created: DirectoryUser
        do {
            created = try await services.users.adminCreateUser(
                userPoolId: poolId, username: email, attributes: ["email": email, "name": name])
        } catch DirectoryError.usernameExists {
            // In the pool but not in the table: an earlier invitation stopped half-way (or
            // the user was added outside the API). Finish it, without a second invitation.
            created = try await services.users.adminGetUser(userPoolId: poolId, username: email)
            request.logger.warning("User \(email) was already in the pool; recording it")
        } catch let error as DirectoryError {
            throw Self.apiError(for: error, email: email)
        }
        // The record first, so that a second invitation of the address is refused; then the
        // group. If the group cannot be set, the record goes again and the invitation can be
        // repeated: Cognito keeps the user, and the repeat finishes it.
        let user = UserRecord(
            userId: created.sub, email: email, name: name, role: role, enabled: true, createdAt: services.now())
        do {
            try await users.create(user)
        } catch TableError.conditionalCheckFailed {
            throw Self.userExists(email)
        }
        do {
            try await moveToGroup(of: role, username: email, poolId: poolId)
        } catch {
            request.logger.error("Could not put \(email) in \(role.groupName): \(error); the invitation is undone and may be repeated")
            try? await users.delete(user.userId)
            throw error
        }
        request.logger.info("Invited user \(user.userId) as \(role.rawValue)")
        return try .json(status: 201, user)
    }

    /// `GET /users`: every user, by e-mail address.
    private func listUsers(_ request: RouteRequest) async throws -> APIGatewayResponse {
        let users = try await services.userStore().all().sorted { ($0.email, $0.userId) < ($1.email, $1.userId) }
        return try .json(ItemList(items: users, nextToken: nil))
    }

    /// `GET /users/{userId}`: for administrators, and for the user itself.
    private func getUser(_ request: RouteRequest) async throws -> APIGatewayResponse {
        let caller = try request.caller()
        let userId = try request.pathParameter("userId")
        guard caller.isAdmin || caller.userId == userId else {
            throw APIError.forbidden("Only administrators may read other users.")
        }
        guard let user = try await services.userStore().get(userId) else { throw APIError.notFound("No such user.") }
        return try .json(user)
    }

    /// `PATCH /users/{userId}`: renames, changes the role (moving the Cognito group) or
    /// enables and disables sign-in. The table changes first, on the condition that the user
    /// is as read; then Cognito. If Cognito refuses, the table is set back. The last enabled
    /// administrator cannot be demoted or disabled (`409 LastAdmin`).
    private func updateUser(_ request: RouteRequest) async throws -> APIGatewayResponse {
        let userId = try request.pathParameter("userId")
        let body = try BodyValidation.validate(request.event, against: RequestSchemas.updateUser)
        let poolId = try services.requiredEnvironment(ConfigurationKeys.userPoolId)
        let users = try services.userStore()
        guard let user = try await users.get(userId) else { throw APIError.notFound("No such user.") }
        let name = body.string("name").flatMap { $0 == user.name ? nil : $0 }
        let role = body.string("role").flatMap(Role.init(rawValue:)).flatMap { $0 == user.role ? nil : $0 }
        let enabled = body.bool("enabled").flatMap { $0 == user.enabled ? nil : $0 }

        // Taking an enabled administrator away reads the roster's version before counting the
        // others, and moves it on with the change: of two such changes at once, one fails.
        let losesAdmin = user.role == .admin && user.enabled && (role == .member || enabled == false)
        var updated: UserRecord?
        // A change that lost a race for the roster looks again: another administrator may have
        // stepped down meanwhile, and this one is now the last.
        for _ in 0..<3 where updated == nil {
            var rosterVersion: Int?
            if losesAdmin {
                rosterVersion = try await users.rosterVersion()
                if try await users.all().filter({ $0.role == .admin && $0.enabled && $0.userId != userId }).isEmpty {
                    throw APIError(
                        status: 409, code: "LastAdmin", message: "This is the last enabled administrator; make another user an administrator first.")
                }
            }
            do {
                updated = try await users.update(user, name: name, role: role, enabled: enabled, rosterVersion: rosterVersion)
            } catch TableError.conditionalCheckFailed {
                guard losesAdmin, try await users.get(userId) == user else {
                    throw APIError(status: 409, code: "UserChanged", message: "The user changed meanwhile; read it again and retry.")
                }
            }
        }
        guard let updated else {
            throw APIError(status: 409, code: "UserChanged", message: "Other changes to the administrators kept coming; retry.")
        }
        do {
            try await applyToDirectory(user.email, poolId: poolId, name: name, role: role, enabled: enabled)
        } catch {
            request.logger.error("Cognito refused the change of user \(userId): \(error); setting the table back")
            do {
                _ = try await users.update(
                    updated, name: name.map { _ in user.name }, role: role.map { _ in user.role }, enabled: enabled.map { _ in user.enabled })
            } catch {
                request.logger.error("Could not set user \(userId) back: \(error)")
            }
            switch error {
            case DirectoryError.userNotFound: throw APIError.notFound("The user is no longer in the user pool.")
            case DirectoryError.invalidParameter(let message): throw APIError.invalid("name", message)
            default: throw error
            }
        }
        return try .json(updated)
    }

    /// Makes Cognito match: the name attribute, the group, sign-in on or off.
    private func applyToDirectory(_ username: String, poolId: String, name: String?, role: Role?, enabled: Bool?) async throws {
        let directory = services.users
        if let name {
            try await directory.adminUpdateUserAttributes(userPoolId: poolId, username: username, attributes: ["name": name])
        }
        if let role {
            try await moveToGroup(of: role, username: username, poolId: poolId)
        }
        if let enabled {
            if enabled {
                try await directory.adminEnableUser(userPoolId: poolId, username: username)
            } else {
                try await directory.adminDisableUser(userPoolId: poolId, username: username)
            }
        }
    }

    /// Puts the user in `role`'s group and takes it out of the other role's.
    private func moveToGroup(of role: Role, username: String, poolId: String) async throws {
        let directory = services.users
        let current = try await directory.adminListGroupsForUser(userPoolId: poolId, username: username)
        if !current.contains(role.groupName) {
            try await directory.adminAddUserToGroup(userPoolId: poolId, username: username, groupName: role.groupName)
        }
        for other in Role.allCases where other != role && current.contains(other.groupName) {
            try await directory.adminRemoveUserFromGroup(
                userPoolId: poolId, username: username, groupName: other.groupName)
        }
    }

    private static func userExists(_ email: String) -> APIError {
        APIError(status: 409, code: "UserExists", message: "A user with the e-mail address \(email) already exists.")
    }

    /// The answer to a Cognito refusal of a new user: the caller's input, or a failure.
    private static func apiError(for error: DirectoryError, email: String) -> any Error {
        switch error {
        case .aliasExists: userExists(email)
        case .invalidParameter(let message): APIError.invalid("email", message)
        default: error
        }
    }
}

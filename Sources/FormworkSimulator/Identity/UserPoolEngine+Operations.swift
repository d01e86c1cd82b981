import Formwork
import FormworkRuntime
import Foundation
import GRDB

/// The pool's operations, as Cognito defines them. The wire protocol and the in-process
/// directory client both call these.
extension UserPoolEngine {
    // MARK: Sign-up

    func signUp(clientId: String, username: String, password: String, attributes: [String: String]) throws -> [String: Any] {
        try checkClient(clientId)
        if pool.adminCreateOnly { throw DirectoryError.notAuthorized("SignUp is not permitted for this user pool") }
        try Self.checkAttributes(attributes)
        try checkPassword(password)
        let hash = try PasswordHash.make(password)
        return try writer.write { db in
            let email = username
            try checkEmail(db, email)
            let sub = UUID().uuidString.lowercased()
            let user = PoolUser(
                username: sub, sub: sub, attributes: attributes.merging(["email": email]) { $1 },
                status: .unconfirmed, passwordHash: hash, at: clock.now())
            try save(db, user)
            let delivery = try issueCode(db, for: user, purpose: .signUp)
            return ["UserConfirmed": false, "UserSub": user.sub, "CodeDeliveryDetails": delivery]
        }
    }

    func confirmSignUp(clientId: String, username: String, code: String) throws {
        try checkClient(clientId)
        try writer.write { db in
            // With PreventUserExistenceErrors, an unknown user looks like a wrong code.
            guard var user = try find(db, username) else {
                throw DirectoryError.other(code: "CodeMismatchException", message: "Invalid verification code provided, please try again.")
            }
            guard user.status == .unconfirmed else { throw DirectoryError.notAuthorized("User cannot be confirmed. Current status is \(user.status.rawValue)") }
            try consumeCode(db, for: user, purpose: .signUp, code: code)
            user.status = .confirmed
            user.attributes["email_verified"] = "true"
            user.modifiedAt = clock.now()
            try save(db, user)
        }
    }

    // MARK: Signing in

    /// The outcome of a sign-in step: tokens, or a challenge to answer.
    enum AuthOutcome {
        case authenticated([String: Any])
        case challenge(name: String, session: String, parameters: [String: String])
    }

    func checkClient(_ clientId: String) throws {
        guard clientId == self.clientId else { throw DirectoryError.resourceNotFound("User pool client \(clientId) does not exist.") }
    }

    /// `InitiateAuth` and `AdminInitiateAuth` (`admin`): USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH,
    /// ADMIN_NO_SRP_AUTH and REFRESH_TOKEN_AUTH / REFRESH_TOKEN.
    func initiateAuth(clientId: String, flow: String, parameters: [String: String], admin: Bool) throws -> AuthOutcome {
        try checkClient(clientId)
        let flows = pool.client.explicitAuthFlows
        switch flow {
        case "USER_PASSWORD_AUTH" where !admin, "ADMIN_USER_PASSWORD_AUTH" where admin, "ADMIN_NO_SRP_AUTH" where admin:
            let allowing = admin ? "ALLOW_ADMIN_USER_PASSWORD_AUTH" : "ALLOW_USER_PASSWORD_AUTH"
            guard flows.contains(allowing) else {
                throw DirectoryError.invalidParameter(admin ? "Auth flow not enabled for this client" : "\(flow) flow not enabled for this client")
            }
            guard let username = parameters["USERNAME"] else { throw DirectoryError.invalidParameter("Missing required parameter USERNAME") }
            guard let password = parameters["PASSWORD"] else { throw DirectoryError.invalidParameter("Missing required parameter PASSWORD") }
            return try passwordSignIn(username: username, password: password)
        case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
            guard let token = parameters["REFRESH_TOKEN"] else { throw DirectoryError.invalidParameter("Missing required parameter REFRESH_TOKEN") }
            return try writer.write { db in
                let record = try refreshRecord(db, token)
                guard record.clientId == clientId, let user = try find(db, record.username) else {
                    throw DirectoryError.notAuthorized("Invalid Refresh Token")
                }
                if !user.enabled { throw DirectoryError.notAuthorized("User is disabled.") }
                return .authenticated(try authenticationResult(db, for: user, refreshing: record))
            }
        case "USER_SRP_AUTH":
            throw DirectoryError.invalidParameter("USER_SRP_AUTH is not supported by the simulator; use USER_PASSWORD_AUTH")
        case "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH", "USER_AUTH":
            throw DirectoryError.invalidParameter("\(flow) flow not enabled for this client")
        default:
            throw DirectoryError.invalidParameter(
                "1 validation error detected: Value '\(flow)' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set")
        }
    }

    private func passwordSignIn(username: String, password: String) throws -> AuthOutcome {
        let wrong = DirectoryError.notAuthorized("Incorrect username or password.")
        guard let user = try writer.read({ db in try find(db, username) }), let hash = user.passwordHash else { throw wrong }
        guard PasswordHash.matches(password, hash) else { throw wrong }
        if !user.enabled { throw DirectoryError.notAuthorized("User is disabled.") }
        switch user.status {
        case .unconfirmed: throw DirectoryError.other(code: "UserNotConfirmedException", message: "User is not confirmed.")
        case .resetRequired: throw DirectoryError.other(code: "PasswordResetRequiredException", message: "Password reset required for the user")
        case .forceChangePassword:
            let validity = TimeInterval(pool.passwordPolicy.temporaryPasswordValidity.days * 86_400)
            if let setAt = user.passwordSetAt, clock.now().timeIntervalSince(setAt) > validity {
                throw DirectoryError.notAuthorized("Temporary password has expired and must be reset by an administrator.")
            }
            return try writer.write { db in
                let session = try newSession(db, for: user, clientId: clientId)
                var attributes = user.attributes
                attributes["sub"] = nil
                attributes["email_verified"] = nil
                let userAttributes = String(decoding: JSONBody.data(attributes), as: UTF8.self)
                return .challenge(
                    name: "NEW_PASSWORD_REQUIRED", session: session,
                    parameters: ["USER_ID_FOR_SRP": user.username, "requiredAttributes": "[]", "userAttributes": userAttributes])
            }
        default:
            return .authenticated(try writer.write { db in try authenticationResult(db, for: user) })
        }
    }

    /// `RespondToAuthChallenge` (and the admin form) for NEW_PASSWORD_REQUIRED.
    func respondToChallenge(clientId: String, name: String, session: String?, responses: [String: String]) throws -> [String: Any] {
        try checkClient(clientId)
        guard name == "NEW_PASSWORD_REQUIRED" else { throw DirectoryError.invalidParameter("Invalid challenge name: \(name)") }
        guard let session else { throw DirectoryError.invalidParameter("Missing required parameter Session") }
        guard let newPassword = responses["NEW_PASSWORD"] else { throw DirectoryError.invalidParameter("Missing required parameter NEW_PASSWORD") }
        try checkPassword(newPassword)
        let hash = try PasswordHash.make(newPassword)
        return try writer.write { db in
            var user = try consumeSession(db, session, clientId: clientId)
            if let named = responses["USERNAME"], try find(db, named)?.username != user.username {
                throw DirectoryError.notAuthorized("Invalid session for the user.")
            }
            var attributes = responses.filter { $0.key.hasPrefix("userAttributes.") }
                .reduce(into: [String: String]()) { $0[String($1.key.dropFirst("userAttributes.".count))] = $1.value }
            attributes["email"] = nil
            try Self.checkAttributes(attributes)
            user.attributes.merge(attributes) { $1 }
            user.passwordHash = hash
            user.passwordSetAt = clock.now()
            user.status = .confirmed
            user.modifiedAt = clock.now()
            try save(db, user)
            return try authenticationResult(db, for: user)
        }
    }

    // MARK: The signed-in user

    func getUser(accessToken: String) throws -> PoolUser {
        try writer.read { db in try userForAccessToken(db, accessToken) }
    }

    func changePassword(accessToken: String, previous: String, proposed: String) throws {
        let user = try getUser(accessToken: accessToken)
        guard let hash = user.passwordHash, PasswordHash.matches(previous, hash) else {
            throw DirectoryError.notAuthorized("Incorrect username or password.")
        }
        try checkPassword(proposed)
        let newHash = try PasswordHash.make(proposed)
        try writer.write { db in
            var user = try existing(db, user.username)
            user.passwordHash = newHash
            user.passwordSetAt = clock.now()
            user.modifiedAt = clock.now()
            try save(db, user)
        }
    }

    func globalSignOut(accessToken: String) throws {
        try writer.write { db in try revokeTokens(db, of: try userForAccessToken(db, accessToken)) }
    }

    func forgotPassword(clientId: String, username: String) throws -> [String: String] {
        try checkClient(clientId)
        return try writer.write { db in
            guard let user = try find(db, username) else {
                // With PreventUserExistenceErrors, Cognito answers as if it had sent a code.
                return ["Destination": Self.masked(username), "DeliveryMedium": "EMAIL", "AttributeName": "email"]
            }
            if !user.enabled { throw DirectoryError.notAuthorized("User is disabled.") }
            // The pool recovers accounts through a verified e-mail only.
            guard user.attributes["email_verified"] == "true" else {
                throw DirectoryError.invalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
            }
            return try issueCode(db, for: user, purpose: .forgotPassword)
        }
    }

    func confirmForgotPassword(clientId: String, username: String, code: String, password: String) throws {
        try checkClient(clientId)
        try checkPassword(password)
        let hash = try PasswordHash.make(password)
        try writer.write { db in
            guard var user = try find(db, username) else {
                throw DirectoryError.other(code: "CodeMismatchException", message: "Invalid verification code provided, please try again.")
            }
            try consumeCode(db, for: user, purpose: .forgotPassword, code: code)
            user.passwordHash = hash
            user.passwordSetAt = clock.now()
            user.status = .confirmed
            user.modifiedAt = clock.now()
            try save(db, user)
        }
    }

    // MARK: Administration

    /// `AdminCreateUser`. `messageAction`: nil (send the invitation), `SUPPRESS` or `RESEND`.
    func adminCreateUser(
        username: String, attributes: [String: String], temporaryPassword: String?, messageAction: String?
    ) throws -> PoolUser {
        if let messageAction, !["SUPPRESS", "RESEND"].contains(messageAction) {
            throw DirectoryError.invalidParameter(
                "1 validation error detected: Value '\(messageAction)' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]"
            )
        }
        try Self.checkAttributes(attributes)
        if let temporaryPassword { try checkPassword(temporaryPassword) }
        let password = temporaryPassword ?? self.temporaryPassword()
        let hash = try PasswordHash.make(password)
        return try writer.write { db in
            var user: PoolUser
            if messageAction == "RESEND" {
                user = try existing(db, username)
                guard user.status == .forceChangePassword else {
                    throw DirectoryError.other(
                        code: "UnsupportedUserStateException", message: "Resend not possible. \(user.username) status is not FORCE_CHANGE_PASSWORD")
                }
                user.passwordHash = hash
                user.passwordSetAt = clock.now()
            } else {
                guard Self.isEmail(username) else { throw DirectoryError.invalidParameter("Username should be an email.") }
                if let email = attributes["email"], email.lowercased() != username.lowercased() {
                    throw DirectoryError.invalidParameter("Username should be the same as the email attribute.")
                }
                try checkEmail(db, username, taken: "User account already exists")
                let sub = UUID().uuidString.lowercased()
                user = PoolUser(
                    username: sub, sub: sub,
                    attributes: attributes.merging(["email": username, "email_verified": "false"]) { first, _ in first },
                    status: .forceChangePassword, passwordHash: hash, at: clock.now())
            }
            try save(db, user)
            if messageAction != "SUPPRESS", let email = user.attributes["email"] {
                let body = pool.invitation.message.replacingOccurrences(of: "{username}", with: email)
                    .replacingOccurrences(of: "{####}", with: password)
                try sendEmail(db, to: email, subject: pool.invitation.subject, body: body)
            }
            return user
        }
    }

    func adminSetUserPassword(username: String, password: String, permanent: Bool) throws {
        try checkPassword(password)
        let hash = try PasswordHash.make(password)
        try writer.write { db in
            var user = try existing(db, username)
            user.passwordHash = hash
            user.passwordSetAt = clock.now()
            user.status = permanent ? .confirmed : .forceChangePassword
            user.modifiedAt = clock.now()
            try save(db, user)
        }
    }

    func adminUpdateUserAttributes(username: String, attributes: [String: String]) throws {
        try Self.checkAttributes(attributes)
        try writer.write { db in
            var user = try existing(db, username)
            if let email = attributes["email"] {
                try checkEmail(db, email, except: user.username)
                if email.lowercased() != user.attributes["email"]?.lowercased(), attributes["email_verified"] == nil {
                    user.attributes["email_verified"] = "false"
                }
            }
            for (name, value) in attributes {
                user.attributes[name] = value.isEmpty && name != "email" ? nil : value
            }
            user.modifiedAt = clock.now()
            try save(db, user)
        }
    }

    func adminDeleteUserAttributes(username: String, names: [String]) throws {
        try writer.write { db in
            var user = try existing(db, username)
            for name in names {
                if name == "email" || name == "sub" { throw DirectoryError.invalidParameter("Cannot delete the required attribute \(name)") }
                user.attributes[name] = nil
            }
            user.modifiedAt = clock.now()
            try save(db, user)
        }
    }

    func adminSetMembership(username: String, group: String, member: Bool) throws {
        _ = try self.group(group)
        try writer.write { db in try setMembership(db, try existing(db, username), group: group, member: member) }
    }

    func adminSetEnabled(username: String, enabled: Bool) throws {
        try writer.write { db in
            var user = try existing(db, username)
            user.enabled = enabled
            user.modifiedAt = clock.now()
            try save(db, user)
            if !enabled { try revokeTokens(db, of: user) }
        }
    }

    func adminDeleteUser(username: String) throws {
        try writer.write { db in try delete(db, try existing(db, username)) }
    }

    /// `ListUsers`: one page after `paginationToken`, filtered.
    func listUsers(filter: String?, limit: Int?, paginationToken: String?) throws -> (users: [PoolUser], next: String?) {
        let parsed = try filter.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try UserFilter(parsing: $0) }
        let limit = try Self.pageSize(limit, maximum: 60)
        let all = try writer.read { db in try listUsers(db) }.filter { parsed?.matches($0) ?? true }
        return try Self.page(all, after: paginationToken, limit: limit)
    }

    func listUsersInGroup(group: String, limit: Int?, nextToken: String?) throws -> (users: [PoolUser], next: String?) {
        _ = try self.group(group)
        let limit = try Self.pageSize(limit, maximum: 60)
        let all = try writer.read { db in try listUsers(db, inGroup: group) }
        return try Self.page(all, after: nextToken, limit: limit)
    }

    static func pageSize(_ limit: Int?, maximum: Int) throws -> Int {
        guard let limit else { return maximum }
        guard (0...maximum).contains(limit) else {
            throw DirectoryError.invalidParameter(
                "1 validation error detected: Value '\(limit)' at 'limit' failed to satisfy constraint: Member must have value less than or equal to \(maximum)"
            )
        }
        return limit == 0 ? maximum : limit
    }

    /// A page of `users` after the user named by `token`.
    static func page(_ users: [PoolUser], after token: String?, limit: Int) throws -> (users: [PoolUser], next: String?) {
        var start = 0
        if let token {
            guard let data = Data(base64Encoded: token), let after = String(data: data, encoding: .utf8),
                let index = users.firstIndex(where: { $0.username == after })
            else { throw DirectoryError.invalidParameter("Invalid pagination token.") }
            start = index + 1
        }
        let page = Array(users.dropFirst(start).prefix(limit))
        let next = start + page.count < users.count ? page.last.map { Data($0.username.utf8).base64EncodedString() } : nil
        return (page, next)
    }
}

import Crypto
import Formwork
import FormworkRuntime
import Foundation
import GRDB
import NIOConcurrencyHelpers

/// One simulated Cognito user pool: its users, groups, tokens and codes in the state database,
/// its settings from the model. Every failure is a ``DirectoryError`` with Cognito's code and
/// wording.
final class UserPoolEngine: Sendable {
    let pool: UserPool
    let poolId: String
    let clientId: String
    let arn: String
    let writer: any DatabaseWriter
    let clock: SimulatorClock
    let outbox: Outbox
    /// Where the simulator listens; tokens' `iss` is `<endpoint>/<poolId>`.
    let endpoint: @Sendable () -> String
    private let key = NIOLockedValueBox<SigningKey?>(nil)

    /// Cognito's default sender of codes and invitations.
    static let sender = "no-reply@verificationemail.com"
    /// How long a challenge session stays valid.
    static let sessionLifetime: TimeInterval = 180

    init(pool: UserPool, naming: LocalResources, database: StateDatabase, clock: SimulatorClock, outbox: Outbox, endpoint: @escaping @Sendable () -> String) {
        self.pool = pool
        poolId = naming.userPoolId(pool)
        clientId = naming.userPoolClientId(pool)
        arn = naming.userPoolArn(pool)
        writer = database.writer
        self.clock = clock
        self.outbox = outbox
        self.endpoint = endpoint
    }

    var issuer: String { "\(endpoint())/\(poolId)" }

    // MARK: Keys

    /// The pool's signing key: read from the state database, or made and stored on first use.
    func signingKey() throws -> SigningKey {
        try key.withLockedValue { cached in
            if let cached { return cached }
            let poolId = self.poolId
            let stored = try writer.read { db in
                try Data.fetchOne(db, sql: "SELECT privateKey FROM identitySigningKeys WHERE poolId = ?", arguments: [poolId])
            }
            let made = try stored.map(SigningKey.init(der:)) ?? SigningKey.generate()
            if stored == nil {
                let createdAt = clock.now().timeIntervalSince1970
                try writer.write { db in
                    try db.execute(
                        sql: "INSERT INTO identitySigningKeys (poolId, keyId, privateKey, createdAt) VALUES (?, ?, ?, ?)",
                        arguments: [poolId, made.keyId, made.der, createdAt])
                }
            }
            cached = made
            return made
        }
    }

    /// The key, once ``signingKey()`` loaded it: for use inside a database transaction, where
    /// loading it would re-enter the database.
    func loadedKey() throws -> SigningKey {
        guard let loaded = key.withLockedValue({ $0 }) else {
            throw DirectoryError.other(code: "InternalErrorException", message: "The signing key is not loaded.")
        }
        return loaded
    }

    /// The JWKS document.
    func jwks() throws -> [String: Any] { ["keys": [try signingKey().jwk()]] }

    // MARK: Users

    /// The user whose user name, or e-mail alias, is `name` (case-insensitive).
    func find(_ db: Database, _ name: String) throws -> PoolUser? {
        let row = try Row.fetchOne(
            db, sql: "SELECT * FROM identityUsers WHERE poolId = ? AND (username = ? OR email = ?) ORDER BY username = ? DESC LIMIT 1",
            arguments: [poolId, name.lowercased(), name.lowercased(), name.lowercased()])
        return try row.map { try PoolUser(row: $0, groups: groups(db, of: $0["username"])) }
    }

    func existing(_ db: Database, _ name: String) throws -> PoolUser {
        guard let user = try find(db, name) else { throw DirectoryError.userNotFound("User does not exist.") }
        return user
    }

    func user(_ name: String) throws -> PoolUser {
        try writer.read { db in try existing(db, name) }
    }

    private func groups(_ db: Database, of username: String) throws -> [String] {
        let names = try String.fetchAll(
            db, sql: "SELECT groupName FROM identityMemberships WHERE poolId = ? AND username = ?", arguments: [poolId, username])
        return pool.groups.filter { names.contains($0.name) }
            .sorted { ($0.precedence ?? Int.max, $0.name) < ($1.precedence ?? Int.max, $1.name) }.map(\.name)
    }

    func save(_ db: Database, _ user: PoolUser) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO identityUsers
                (poolId, username, sub, email, attributes, enabled, status, passwordHash, passwordSetAt, createdAt, modifiedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                poolId, user.username, user.sub, user.attributes["email"]?.lowercased(), try JSONEncoder().encode(user.attributes),
                user.enabled, user.status.rawValue, user.passwordHash, user.passwordSetAt?.timeIntervalSince1970,
                user.createdAt.timeIntervalSince1970, user.modifiedAt.timeIntervalSince1970,
            ])
    }

    /// Checks a new user's e-mail: well-formed, and not another user's alias.
    func checkEmail(
        _ db: Database, _ email: String, except username: String? = nil, taken: String = "An account with the given email already exists."
    ) throws {
        guard Self.isEmail(email) else { throw DirectoryError.invalidParameter("Invalid email address format.") }
        if let other = try find(db, email), other.username != username {
            throw DirectoryError.usernameExists(taken)
        }
    }

    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && !text.contains(where: \.isWhitespace)
    }

    /// The standard attributes Cognito knows, besides the schema's custom ones (this pool declares none).
    static let standardAttributes: Set<String> = [
        "address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name", "locale", "middle_name", "name",
        "nickname", "phone_number", "phone_number_verified", "picture", "preferred_username", "profile", "updated_at", "website",
        "zoneinfo",
    ]

    static func checkAttributes(_ attributes: [String: String]) throws {
        for name in attributes.keys.sorted() {
            if name == "sub" { throw DirectoryError.invalidParameter("Cannot modify the non-mutable attribute sub") }
            guard standardAttributes.contains(name) else {
                throw DirectoryError.invalidParameter("Attribute does not exist in the schema.")
            }
        }
    }

    /// A temporary password that meets the pool's policy.
    func temporaryPassword() -> String {
        let sets = ["ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!#%&*+-=?@^_"].map(Array.init)
        let all = sets.flatMap { $0 }
        var characters = sets.map { $0[Int.random(in: 0..<$0.count)] }
        while characters.count < max(pool.passwordPolicy.minimumLength, 12) + 2 { characters.append(all[Int.random(in: 0..<all.count)]) }
        return String(characters.shuffled())
    }

    func checkPassword(_ password: String) throws {
        if let problem = pool.passwordPolicy.violation(of: password) { throw DirectoryError.invalidPassword(problem) }
    }

    /// Sends an e-mail through the outbox, within the caller's transaction.
    func sendEmail(_ db: Database, to address: String, subject: String, body: String) throws {
        try Outbox.insert(
            db,
            Outbox.Message(
                id: UUID().uuidString.lowercased(), service: "cognito-idp", kind: "email", from: Self.sender, to: [address], subject: subject,
                body: body, createdAt: clock.now()))
    }

    /// A six-digit code for `purpose`, stored (replacing any earlier one) and e-mailed.
    func issueCode(_ db: Database, for user: PoolUser, purpose: CodePurpose) throws -> [String: String] {
        let code = String(format: "%06d", Int.random(in: 0...999_999))
        try db.execute(
            sql: "INSERT OR REPLACE INTO identityCodes (poolId, username, purpose, code, expiresAt) VALUES (?, ?, ?, ?, ?)",
            arguments: [poolId, user.username, purpose.rawValue, code, clock.now().addingTimeInterval(purpose.lifetime).timeIntervalSince1970])
        guard let email = user.attributes["email"] else {
            throw DirectoryError.invalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
        }
        try sendEmail(db, to: email, subject: purpose.subject, body: purpose.message(code))
        return ["Destination": Self.masked(email), "DeliveryMedium": "EMAIL", "AttributeName": "email"]
    }

    /// Checks and consumes a code.
    func consumeCode(_ db: Database, for user: PoolUser, purpose: CodePurpose, code: String) throws {
        let row = try Row.fetchOne(
            db, sql: "SELECT code, expiresAt FROM identityCodes WHERE poolId = ? AND username = ? AND purpose = ?",
            arguments: [poolId, user.username, purpose.rawValue])
        guard let row else { throw DirectoryError.other(code: "CodeMismatchException", message: "Invalid verification code provided, please try again.") }
        guard (row["code"] as String) == code else {
            throw DirectoryError.other(code: "CodeMismatchException", message: "Invalid verification code provided, please try again.")
        }
        guard clock.now().timeIntervalSince1970 < row["expiresAt"] else {
            throw DirectoryError.other(code: "ExpiredCodeException", message: "Invalid code provided, please request a code again.")
        }
        try db.execute(
            sql: "DELETE FROM identityCodes WHERE poolId = ? AND username = ? AND purpose = ?", arguments: [poolId, user.username, purpose.rawValue])
    }

    /// `a***@e***`, as Cognito shows a delivery destination.
    static func masked(_ email: String) -> String {
        let parts = email.split(separator: "@")
        guard parts.count == 2 else { return "***" }
        return "\(parts[0].prefix(1))***@\(parts[1].prefix(1))***"
    }

    // MARK: Tokens

    /// Tokens for a successful sign-in: ID, access and (unless refreshing) a new refresh token.
    func authenticationResult(_ db: Database, for user: PoolUser, refreshing origin: RefreshRecord? = nil) throws -> [String: Any] {
        let now = clock.now()
        let iat = Int(now.timeIntervalSince1970)
        let authTime = origin?.authTime ?? iat
        let originJti = origin?.originJti ?? UUID().uuidString.lowercased()
        let eventId = UUID().uuidString.lowercased()
        let client = pool.client
        var common: [String: Any] = [
            "sub": user.sub, "iss": issuer, "origin_jti": originJti, "event_id": eventId, "auth_time": authTime, "iat": iat,
        ]
        if !user.groups.isEmpty { common["cognito:groups"] = user.groups }
        var id = common
        for (name, value) in user.attributes where name != "sub" {
            id[name] = name.hasSuffix("_verified") ? (value == "true") as Any : value as Any
        }
        id["cognito:username"] = user.username
        id["aud"] = clientId
        id["token_use"] = "id"
        id["exp"] = iat + client.idTokenValidity.minutes * 60
        id["jti"] = UUID().uuidString.lowercased()
        var access = common
        access["client_id"] = clientId
        access["username"] = user.username
        access["token_use"] = "access"
        access["scope"] = "aws.cognito.signin.user.admin"
        access["exp"] = iat + client.accessTokenValidity.minutes * 60
        access["jti"] = UUID().uuidString.lowercased()
        let key = try loadedKey()
        var result: [String: Any] = [
            "IdToken": try key.sign(claims: id), "AccessToken": try key.sign(claims: access),
            "ExpiresIn": client.accessTokenValidity.minutes * 60, "TokenType": "Bearer",
        ]
        if origin == nil {
            let refresh = Base64URL.encode(Data((0..<96).map { _ in UInt8.random(in: 0...255) }))
            try db.execute(
                sql: """
                    INSERT INTO identityRefreshTokens (tokenHash, poolId, username, clientId, originJti, authTime, expiresAt, revoked)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 0)
                    """,
                arguments: [
                    Self.digest(refresh), poolId, user.username, clientId, originJti, authTime,
                    now.addingTimeInterval(TimeInterval(client.refreshTokenValidity.minutes * 60)).timeIntervalSince1970,
                ])
            result["RefreshToken"] = refresh
        }
        return result
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The refresh token's record, when it is this pool's, unexpired and not revoked.
    func refreshRecord(_ db: Database, _ token: String) throws -> RefreshRecord {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM identityRefreshTokens WHERE tokenHash = ? AND poolId = ?", arguments: [Self.digest(token), poolId])
        else { throw DirectoryError.notAuthorized("Invalid Refresh Token") }
        if (row["revoked"] as Bool) { throw DirectoryError.notAuthorized("Refresh Token has been revoked") }
        if clock.now().timeIntervalSince1970 >= row["expiresAt"] { throw DirectoryError.notAuthorized("Refresh Token has expired") }
        return RefreshRecord(username: row["username"], clientId: row["clientId"], originJti: row["originJti"], authTime: row["authTime"])
    }

    /// The user an access token belongs to, when the token is valid now.
    func userForAccessToken(_ db: Database, _ token: String) throws -> PoolUser {
        guard let claims = try loadedKey().verifiedClaims(of: token), claims["token_use"] as? String == "access",
            claims["iss"] as? String == issuer, let username = claims["username"] as? String,
            let exp = claims["exp"] as? Int, let originJti = claims["origin_jti"] as? String
        else { throw DirectoryError.notAuthorized("Invalid Access Token") }
        if clock.now().timeIntervalSince1970 >= TimeInterval(exp) { throw DirectoryError.notAuthorized("Access Token has expired") }
        let revoked = try Bool.fetchOne(
            db, sql: "SELECT revoked FROM identityRefreshTokens WHERE poolId = ? AND originJti = ?", arguments: [poolId, originJti])
        if revoked ?? true { throw DirectoryError.notAuthorized("Access Token has been revoked") }
        guard let user = try find(db, username) else { throw DirectoryError.notAuthorized("Access Token has been revoked") }
        if !user.enabled { throw DirectoryError.notAuthorized("User is disabled.") }
        return user
    }

    /// Why an ID token is refused, as API Gateway's Cognito authorizer checks it; `nil` claims
    /// never pass. The claims when the signature, issuer, audience, `token_use` and expiry (by
    /// the simulator's clock) all hold.
    func verifiedIdTokenClaims(_ token: String) -> [String: Any]? {
        guard let key = try? signingKey(), let claims = key.verifiedClaims(of: token), claims["iss"] as? String == issuer,
            claims["aud"] as? String == clientId, claims["token_use"] as? String == "id", let exp = claims["exp"] as? Int,
            clock.now().timeIntervalSince1970 < TimeInterval(exp)
        else { return nil }
        return claims
    }

    func revokeTokens(_ db: Database, of user: PoolUser) throws {
        try db.execute(
            sql: "UPDATE identityRefreshTokens SET revoked = 1 WHERE poolId = ? AND username = ?", arguments: [poolId, user.username])
    }

    // MARK: Sessions

    func newSession(_ db: Database, for user: PoolUser, clientId: String) throws -> String {
        let session = Base64URL.encode(Data((0..<48).map { _ in UInt8.random(in: 0...255) }))
        try db.execute(
            sql: "INSERT INTO identitySessions (session, poolId, username, clientId, expiresAt) VALUES (?, ?, ?, ?, ?)",
            arguments: [
                Self.digest(session), poolId, user.username, clientId, clock.now().addingTimeInterval(Self.sessionLifetime).timeIntervalSince1970,
            ])
        return session
    }

    /// The user a challenge session was made for; consumes the session.
    func consumeSession(_ db: Database, _ session: String, clientId: String) throws -> PoolUser {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM identitySessions WHERE session = ? AND poolId = ?", arguments: [Self.digest(session), poolId]),
            (row["clientId"] as String) == clientId
        else { throw DirectoryError.notAuthorized("Invalid session for the user.") }
        try db.execute(sql: "DELETE FROM identitySessions WHERE session = ?", arguments: [Self.digest(session)])
        guard clock.now().timeIntervalSince1970 < row["expiresAt"] else {
            throw DirectoryError.notAuthorized("Invalid session for the user, session is expired.")
        }
        return try existing(db, row["username"])
    }

    // MARK: Groups

    func group(_ name: String) throws -> UserGroup {
        guard let group = pool.groups.first(where: { $0.name == name }) else { throw DirectoryError.resourceNotFound("Group not found.") }
        return group
    }

    /// Users in a stable order (creation, then user name), after `after` (a user name).
    func listUsers(_ db: Database, inGroup group: String? = nil) throws -> [PoolUser] {
        let rows: [Row]
        if let group {
            rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT u.* FROM identityUsers u JOIN identityMemberships m ON m.poolId = u.poolId AND m.username = u.username
                    WHERE u.poolId = ? AND m.groupName = ? ORDER BY u.createdAt, u.username
                    """, arguments: [poolId, group])
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT * FROM identityUsers WHERE poolId = ? ORDER BY createdAt, username", arguments: [poolId])
        }
        return try rows.map { try PoolUser(row: $0, groups: groups(db, of: $0["username"])) }
    }

    func setMembership(_ db: Database, _ user: PoolUser, group: String, member: Bool) throws {
        if member {
            try db.execute(
                sql: "INSERT OR IGNORE INTO identityMemberships (poolId, username, groupName) VALUES (?, ?, ?)",
                arguments: [poolId, user.username, group])
        } else {
            try db.execute(
                sql: "DELETE FROM identityMemberships WHERE poolId = ? AND username = ? AND groupName = ?", arguments: [poolId, user.username, group])
        }
    }

    func delete(_ db: Database, _ user: PoolUser) throws {
        for table in ["identityUsers", "identityMemberships", "identityRefreshTokens", "identityCodes", "identitySessions"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE poolId = ? AND username = ?", arguments: [poolId, user.username])
        }
    }

    /// How many users the pool holds.
    func userCount() throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM identityUsers WHERE poolId = ?", arguments: [poolId]) ?? 0 }
    }
}

/// A user as stored, with its groups.
struct PoolUser: Sendable {
    var username: String
    var sub: String
    var attributes: [String: String]
    var enabled: Bool
    var status: UserStatus
    var passwordHash: String?
    var passwordSetAt: Date?
    var createdAt: Date
    var modifiedAt: Date
    var groups: [String]

    init(
        username: String, sub: String, attributes: [String: String], status: UserStatus, passwordHash: String?, at now: Date
    ) {
        self.username = username
        self.sub = sub
        self.attributes = attributes.merging(["sub": sub]) { $1 }
        enabled = true
        self.status = status
        self.passwordHash = passwordHash
        passwordSetAt = now
        createdAt = now
        modifiedAt = now
        groups = []
    }

    init(row: Row, groups: [String]) throws {
        username = row["username"]
        sub = row["sub"]
        attributes = try JSONDecoder().decode([String: String].self, from: row["attributes"] as Data)
        enabled = row["enabled"]
        status = UserStatus(rawValue: row["status"]) ?? .unknown
        passwordHash = row["passwordHash"]
        passwordSetAt = (row["passwordSetAt"] as Double?).map(Date.init(timeIntervalSince1970:))
        createdAt = Date(timeIntervalSince1970: row["createdAt"])
        modifiedAt = Date(timeIntervalSince1970: row["modifiedAt"])
        self.groups = groups
    }

    /// The user as the runtime's directory interface returns it.
    var directoryUser: DirectoryUser {
        DirectoryUser(
            username: username, sub: sub, attributes: attributes, enabled: enabled, status: status, createdAt: createdAt,
            lastModifiedAt: modifiedAt)
    }
}

/// A refresh token's record.
struct RefreshRecord {
    var username: String
    var clientId: String
    var originJti: String
    var authTime: Int
}

/// What a verification code is for.
enum CodePurpose: String {
    case signUp = "sign-up"
    case forgotPassword = "forgot-password"

    var lifetime: TimeInterval {
        switch self {
        case .signUp: 24 * 3600
        case .forgotPassword: 3600
        }
    }

    var subject: String {
        switch self {
        case .signUp: "Your verification code"
        case .forgotPassword: "Your password reset code"
        }
    }

    func message(_ code: String) -> String {
        switch self {
        case .signUp: "Your verification code is \(code)."
        case .forgotPassword: "Your password reset code is \(code)."
        }
    }
}

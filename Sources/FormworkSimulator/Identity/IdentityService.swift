import Formwork
import FormworkRuntime
import Foundation
import GRDB
import Hummingbird

/// The simulated Cognito: one user pool per `UserPool` of the model, wire-compatible with the
/// Cognito Identity Provider API, with RS256 tokens from a key per pool and the pools'
/// discovery documents (`/{userPoolId}/.well-known/jwks.json`, `openid-configuration`).
public final class IdentityService: Sendable {
    let pools: [UserPoolEngine]

    /// The pools of `architecture`, in the state database.
    public init(
        architecture: Architecture, naming: LocalResources, database: StateDatabase, clock: SimulatorClock, outbox: Outbox,
        endpoint: @escaping @Sendable () -> String
    ) {
        pools = architecture.resources(of: UserPool.self).map {
            UserPoolEngine(pool: $0, naming: naming, database: database, clock: clock, outbox: outbox, endpoint: endpoint)
        }
    }

    /// The identity service's named, append-only migrations.
    public static let migrations: [StateDatabase.Migration] = [
        .init("identity v1: users, groups, tokens, codes and keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE identityUsers (
                        poolId TEXT NOT NULL,
                        username TEXT NOT NULL,
                        sub TEXT NOT NULL,
                        email TEXT,
                        attributes BLOB NOT NULL,
                        enabled INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        passwordHash TEXT,
                        passwordSetAt REAL,
                        createdAt REAL NOT NULL,
                        modifiedAt REAL NOT NULL,
                        PRIMARY KEY (poolId, username)
                    );
                    CREATE UNIQUE INDEX identityUsersByEmail ON identityUsers (poolId, email) WHERE email IS NOT NULL;
                    CREATE TABLE identityMemberships (
                        poolId TEXT NOT NULL, username TEXT NOT NULL, groupName TEXT NOT NULL,
                        PRIMARY KEY (poolId, username, groupName)
                    );
                    CREATE TABLE identityRefreshTokens (
                        tokenHash TEXT PRIMARY KEY NOT NULL,
                        poolId TEXT NOT NULL, username TEXT NOT NULL, clientId TEXT NOT NULL, originJti TEXT NOT NULL,
                        authTime INTEGER NOT NULL, expiresAt REAL NOT NULL, revoked INTEGER NOT NULL
                    );
                    CREATE INDEX identityRefreshTokensByUser ON identityRefreshTokens (poolId, username);
                    CREATE INDEX identityRefreshTokensByOrigin ON identityRefreshTokens (poolId, originJti);
                    CREATE TABLE identityCodes (
                        poolId TEXT NOT NULL, username TEXT NOT NULL, purpose TEXT NOT NULL, code TEXT NOT NULL, expiresAt REAL NOT NULL,
                        PRIMARY KEY (poolId, username, purpose)
                    );
                    CREATE TABLE identitySessions (
                        session TEXT PRIMARY KEY NOT NULL, poolId TEXT NOT NULL, username TEXT NOT NULL, clientId TEXT NOT NULL,
                        expiresAt REAL NOT NULL
                    );
                    CREATE TABLE identitySigningKeys (
                        poolId TEXT PRIMARY KEY NOT NULL, keyId TEXT NOT NULL, privateKey BLOB NOT NULL, createdAt REAL NOT NULL
                    );
                    """)
        }
    ]

    /// Each pool: its logical ID, pool id and app client id.
    public var userPools: [(logicalId: String, poolId: String, clientId: String)] {
        pools.map { ($0.pool.name, $0.poolId, $0.clientId) }
    }

    func pool(id: String) throws -> UserPoolEngine {
        guard let pool = pools.first(where: { $0.poolId == id }) else {
            throw DirectoryError.resourceNotFound("User pool \(id) does not exist.")
        }
        return pool
    }

    func pool(forClient clientId: String) throws -> UserPoolEngine {
        guard let pool = pools.first(where: { $0.clientId == clientId }) else {
            throw DirectoryError.resourceNotFound("User pool client \(clientId) does not exist.")
        }
        return pool
    }

    /// The pool that issued an access token, read from its unverified `iss`; the pool then verifies it.
    func pool(forAccessToken token: String) throws -> UserPoolEngine {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]),
            let claims = (try? JSONSerialization.jsonObject(with: payload)) as? [String: Any], let issuer = claims["iss"] as? String,
            let pool = pools.first(where: { issuer.hasSuffix("/\($0.poolId)") })
        else { throw DirectoryError.notAuthorized("Invalid Access Token") }
        return pool
    }

    /// The in-process directory client for handlers, over the pool `userPoolId` names in each call.
    public var directory: any UserDirectoryClient { Directory(identity: self) }

    /// Creates a confirmed user with a permanent password, or, when the e-mail is taken, leaves
    /// the existing user as it is and only adds missing groups. Returns whether it created one.
    @discardableResult
    public func seed(poolId: String, email: String, password: String, groups: [String]) throws -> Bool {
        let pool = try pool(id: poolId)
        for group in groups { _ = try pool.group(group) }
        try pool.checkPassword(password)
        let exists = try pool.writer.read { db in try pool.find(db, email) } != nil
        if !exists {
            _ = try pool.adminCreateUser(username: email, attributes: ["email_verified": "true"], temporaryPassword: nil, messageAction: "SUPPRESS")
            try pool.adminSetUserPassword(username: email, password: password, permanent: true)
        }
        for group in groups { try pool.adminSetMembership(username: email, group: group, member: true) }
        return !exists
    }

    /// Pools that hold users in the state but that the model no longer declares.
    public func orphanedPools(in database: StateDatabase) throws -> [(poolId: String, users: Int)] {
        let known = Set(pools.map(\.poolId))
        return try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT poolId, COUNT(*) AS n FROM identityUsers GROUP BY poolId ORDER BY poolId")
                .map { (poolId: $0["poolId"] as String, users: $0["n"] as Int) }
                .filter { !known.contains($0.poolId) }
        }
    }
}

extension IdentityService: SimulatedService {
    var jsonProtocols: [any JSONProtocolService] { [CognitoProtocol(identity: self)] }

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/:poolId/.well-known/jwks.json") { [self] _, context -> Response in
            guard let pool = try? self.pool(id: context.parameters.get("poolId") ?? "") else { return ControlResponse.notFound() }
            return ControlResponse.json(try pool.jwks())
        }
        router.get("/:poolId/.well-known/openid-configuration") { [self] _, context -> Response in
            guard let pool = try? self.pool(id: context.parameters.get("poolId") ?? "") else { return ControlResponse.notFound() }
            let issuer = pool.issuer
            return ControlResponse.json([
                "issuer": issuer, "jwks_uri": "\(issuer)/.well-known/jwks.json", "response_types_supported": ["code", "token"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "phone", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "claims_supported": ["aud", "auth_time", "cognito:username", "email", "email_verified", "exp", "iat", "iss", "sub", "token_use"],
            ])
        }
    }
}

/// The `UserDirectoryClient` handlers receive in the simulator: the same operations the wire
/// API runs, in process.
struct Directory: UserDirectoryClient {
    let identity: IdentityService

    func adminCreateUser(
        userPoolId: String, username: String, attributes: [String: String], temporaryPassword: String?, suppressInvitation: Bool
    ) async throws -> DirectoryUser {
        try identity.pool(id: userPoolId).adminCreateUser(
            username: username, attributes: attributes, temporaryPassword: temporaryPassword,
            messageAction: suppressInvitation ? "SUPPRESS" : nil
        ).directoryUser
    }

    func adminGetUser(userPoolId: String, username: String) async throws -> DirectoryUser {
        try identity.pool(id: userPoolId).user(username).directoryUser
    }

    func adminUpdateUserAttributes(userPoolId: String, username: String, attributes: [String: String]) async throws {
        try identity.pool(id: userPoolId).adminUpdateUserAttributes(username: username, attributes: attributes)
    }

    func adminAddUserToGroup(userPoolId: String, username: String, groupName: String) async throws {
        try identity.pool(id: userPoolId).adminSetMembership(username: username, group: groupName, member: true)
    }

    func adminRemoveUserFromGroup(userPoolId: String, username: String, groupName: String) async throws {
        try identity.pool(id: userPoolId).adminSetMembership(username: username, group: groupName, member: false)
    }

    func adminListGroupsForUser(userPoolId: String, username: String) async throws -> [String] {
        try identity.pool(id: userPoolId).user(username).groups
    }

    func adminDisableUser(userPoolId: String, username: String) async throws {
        try identity.pool(id: userPoolId).adminSetEnabled(username: username, enabled: false)
    }

    func adminEnableUser(userPoolId: String, username: String) async throws {
        try identity.pool(id: userPoolId).adminSetEnabled(username: username, enabled: true)
    }

    func listUsers(userPoolId: String, filter: String?, limit: Int?, paginationToken: String?) async throws -> UserPage {
        let page = try identity.pool(id: userPoolId).listUsers(filter: filter, limit: limit, paginationToken: paginationToken)
        return UserPage(users: page.users.map(\.directoryUser), paginationToken: page.next)
    }
}

/// A Cognito user pool with e-mail as the username, its groups and its app client.
///
/// ```swift
/// let admins = UserGroup("Admin", summary: "Manage users and tasks")
/// UserPool("Users").groups(admins, members).adminCreateOnly()
/// ```
public struct UserPool: Resource, Taggable, Stateful, LocatedSettings {
    public static let kind = ResourceKind.userPool
    public let name: String
    public let location: SourceLocation
    /// The pool's display name; generated when nil.
    public private(set) var poolName: String?
    /// Password rules.
    public private(set) var passwordPolicy = PasswordPolicy()
    /// Whether only administrators can create users (self sign-up off).
    public private(set) var adminCreateOnly = true
    /// The invitation sent with the temporary password.
    public private(set) var invitation = Invitation()
    /// Multi-factor authentication.
    public private(set) var mfa = MFA.off
    /// The groups, in declaration order.
    public private(set) var groups: [UserGroup] = []
    /// The app client's settings.
    public private(set) var client = AppClient()
    /// Whether Cognito refuses to delete the pool.
    public private(set) var deletionProtection = false
    public private(set) var retainOnDelete = false
    var settingLocations: [String: SourceLocation] = [:]

    /// Declares a user pool.
    public init(
        _ name: String,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    /// Sets the pool's display name.
    public func named(
        _ poolName: String?,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Self {
        setting("name", fileID, filePath, line, column) { $0.poolName = poolName }
    }
    /// Adds groups.
    public func groups(_ groups: UserGroup...) -> Self { with { $0.groups += groups } }
    /// Sets the password policy.
    public func passwordPolicy(
        _ policy: PasswordPolicy,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Self {
        setting("password", fileID, filePath, line, column) { $0.passwordPolicy = policy }
    }
    /// Only administrators create users; they are invited with a temporary password.
    public func adminCreateOnly(_ on: Bool = true) -> Self { with { $0.adminCreateOnly = on } }
    /// Sets the invitation message.
    public func invitation(
        _ invitation: Invitation,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Self {
        setting("invitation", fileID, filePath, line, column) { $0.invitation = invitation }
    }
    /// Sets multi-factor authentication.
    public func mfa(_ mfa: MFA) -> Self { with { $0.mfa = mfa } }
    /// Sets the app client's settings.
    public func client(
        _ client: AppClient,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Self {
        setting("client", fileID, filePath, line, column) { $0.client = client }
    }
    /// Turns deletion protection on or off.
    public func deletionProtection(_ on: Bool) -> Self { with { $0.deletionProtection = on } }
    /// Keeps the pool when it is removed from the stack or replaced.
    public func retainOnDelete(_ retain: Bool) -> Self { with { $0.retainOnDelete = retain } }

    /// Whether the pool declares this group.
    public func has(_ group: UserGroup) -> Bool { groups.contains { $0.name == group.name } }

    public func validate() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if let poolName, let problem = NameRules.simpleNameProblem(poolName, limit: 128, extra: "-_ ") {
            problems.append(.error("user pool name '\(poolName)' \(problem)", at: location(of: "name")))
        }
        let p = passwordPolicy
        if !(6...99).contains(p.minimumLength) {
            problems.append(.error("user pool '\(name)': minimum password length must be 6 to 99, not \(p.minimumLength)", at: location(of: "password")))
        }
        if let problem = p.temporaryPasswordValidity.wholeDaysProblem {
            problems.append(
                .error("user pool '\(name)': a temporary password's validity of \(problem), and Cognito counts whole days", at: location(of: "password")))
        } else if !(0...365).contains(p.temporaryPasswordValidity.days) {
            problems.append(.error("user pool '\(name)': temporary passwords can be valid for 0 to 365 days", at: location(of: "password")))
        }
        let inviteAt = location(of: "invitation")
        for placeholder in ["{username}", "{####}"] where !invitation.message.contains(placeholder) {
            problems.append(.error("user pool '\(name)': the invitation message must contain \(placeholder)", at: inviteAt))
        }
        var seen: Set<String> = []
        for group in groups {
            if !seen.insert(group.name).inserted {
                problems.append(.error("user pool '\(name)' declares group '\(group.name)' twice", at: group.location))
            }
            if let problem = NameRules.simpleNameProblem(group.name, limit: 128, extra: "-_.") {
                problems.append(.error("group name '\(group.name)' \(problem)", at: group.location))
            }
        }
        let c = client, clientAt = location(of: "client")
        for (token, validity) in [("ID", c.idTokenValidity), ("access", c.accessTokenValidity), ("refresh", c.refreshTokenValidity)]
        where validity.seconds % 60 != 0 {
            problems.append(
                .error("user pool '\(name)': the \(token) token's validity of \(validity) is not a whole number of minutes, which Cognito counts", at: clientAt)
            )
        }
        if !(5...1440).contains(c.idTokenValidity.minutes) || !(5...1440).contains(c.accessTokenValidity.minutes) {
            problems.append(.error("user pool '\(name)': ID and access tokens can be valid for 5 minutes to 1 day", at: clientAt))
        }
        if !(60...315_360_000).contains(c.refreshTokenValidity.minutes) {
            problems.append(.error("user pool '\(name)': refresh tokens can be valid for 1 hour to 10 years", at: clientAt))
        }
        return problems
    }
}

/// A user group of a pool. Routes name the groups allowed to call them.
public struct UserGroup: Sendable, Hashable {
    /// The group's name, as it appears in the `cognito:groups` claim.
    public var name: String
    /// What members may do.
    public var summary: String
    /// Lower values win when a user is in several groups.
    public var precedence: Int?
    /// Where the group was declared.
    public var location: SourceLocation

    /// Declares a group.
    public init(
        _ name: String, summary: String = "", precedence: Int? = nil,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.summary = summary
        self.precedence = precedence
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    public static func == (lhs: UserGroup, rhs: UserGroup) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// Password rules of a user pool.
public struct PasswordPolicy: Sendable, Hashable {
    public var minimumLength: Int
    public var requireLowercase: Bool
    public var requireUppercase: Bool
    public var requireNumbers: Bool
    public var requireSymbols: Bool
    /// How long an invitation's temporary password stays valid.
    public var temporaryPasswordValidity: TimeSpan

    /// Creates a policy (defaults: 12 characters, all classes, 7-day temporary passwords).
    public init(
        minimumLength: Int = 12, requireLowercase: Bool = true, requireUppercase: Bool = true,
        requireNumbers: Bool = true, requireSymbols: Bool = true, temporaryPasswordValidity: TimeSpan = .days(7)
    ) {
        self.minimumLength = minimumLength
        self.requireLowercase = requireLowercase
        self.requireUppercase = requireUppercase
        self.requireNumbers = requireNumbers
        self.requireSymbols = requireSymbols
        self.temporaryPasswordValidity = temporaryPasswordValidity
    }
}

/// The invitation e-mail an administrator-created user receives.
public struct Invitation: Sendable, Hashable {
    /// The subject line.
    public var subject: String
    /// The body; must contain `{username}` and `{####}` (the temporary password).
    public var message: String

    /// Creates an invitation.
    public init(
        subject: String = "Your account",
        message: String = "Your username is {username} and your temporary password is {####}."
    ) {
        self.subject = subject
        self.message = message
    }
}

/// Multi-factor authentication settings.
public enum MFA: String, Sendable, Hashable {
    case off = "OFF"
    /// Users may enrol an authenticator app.
    case optional = "OPTIONAL"
    /// Every user must use an authenticator app.
    case required = "ON"
}

/// The settings of a pool's app client (a public client: no secret).
public struct AppClient: Sendable, Hashable {
    public var idTokenValidity: TimeSpan
    public var accessTokenValidity: TimeSpan
    public var refreshTokenValidity: TimeSpan
    /// Whether USER_PASSWORD_AUTH is allowed besides SRP (the simulator and scripts use it).
    public var allowPasswordAuth: Bool

    /// Creates client settings (defaults: 1-hour ID and access tokens, 30-day refresh tokens).
    public init(
        idTokenValidity: TimeSpan = .hours(1), accessTokenValidity: TimeSpan = .hours(1),
        refreshTokenValidity: TimeSpan = .days(30), allowPasswordAuth: Bool = true
    ) {
        self.idTokenValidity = idTokenValidity
        self.accessTokenValidity = accessTokenValidity
        self.refreshTokenValidity = refreshTokenValidity
        self.allowPasswordAuth = allowPasswordAuth
    }

    /// The client's auth flows, as Cognito names them (`ExplicitAuthFlows`).
    public var explicitAuthFlows: [String] {
        (allowPasswordAuth ? ["ALLOW_USER_PASSWORD_AUTH"] : []) + ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    }
}

/// A Cognito identity pool federating a user pool's client, with a role for signed-in users.
/// Unauthenticated identities are not allowed.
public struct IdentityPool: Resource, Taggable {
    public static let kind = ResourceKind.identityPool
    public let name: String
    public let location: SourceLocation
    /// The federated user pool.
    public let userPool: ResourceID
    let userPoolDeclaredAt: SourceLocation

    /// Declares an identity pool over `userPool`'s app client.
    public init(
        _ name: String, userPool: UserPool,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.userPool = userPool.id
        self.userPoolDeclaredAt = userPool.location
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    public var references: [Reference] {
        [Reference(target: userPool, targetLocation: userPoolDeclaredAt, purpose: "identity provider", location: location)]
    }
}

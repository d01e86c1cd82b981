import Foundation

/// A user of a Cognito user pool.
public struct DirectoryUser: Codable, Equatable, Sendable {
    /// The user name in the pool.
    public var username: String
    /// The user's immutable id (the `sub` attribute and token claim).
    public var sub: String
    /// The user's attributes (`email`, `name`, `email_verified`, `custom:…`), `sub` included.
    public var attributes: [String: String]
    /// Whether the user may sign in.
    public var enabled: Bool
    /// Where the user is in the sign-up and password life cycle.
    public var status: UserStatus
    /// When the user was created.
    public var createdAt: Date
    /// When the user was last changed.
    public var lastModifiedAt: Date

    /// Creates a user; `lastModifiedAt` defaults to `createdAt`.
    public init(
        username: String,
        sub: String,
        attributes: [String: String],
        enabled: Bool = true,
        status: UserStatus,
        createdAt: Date,
        lastModifiedAt: Date? = nil
    ) {
        self.username = username
        self.sub = sub
        self.attributes = attributes
        self.enabled = enabled
        self.status = status
        self.createdAt = createdAt
        self.lastModifiedAt = lastModifiedAt ?? createdAt
    }

    /// The `email` attribute.
    public var email: String? { attributes["email"] }
}

/// A user's status in the pool (`UserStatus` in Cognito).
public enum UserStatus: String, Codable, CaseIterable, Sendable {
    /// Signed up, not yet confirmed.
    case unconfirmed = "UNCONFIRMED"
    /// Confirmed; signs in normally.
    case confirmed = "CONFIRMED"
    /// Archived.
    case archived = "ARCHIVED"
    /// Disabled for a compromised password.
    case compromised = "COMPROMISED"
    /// Status unknown.
    case unknown = "UNKNOWN"
    /// Must reset the password before signing in.
    case resetRequired = "RESET_REQUIRED"
    /// Created by an admin; must choose a new password at first sign-in.
    case forceChangePassword = "FORCE_CHANGE_PASSWORD"
    /// Signed in through an external identity provider.
    case externalProvider = "EXTERNAL_PROVIDER"
}

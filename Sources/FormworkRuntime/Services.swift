import Foundation

/// Everything a handler may use besides its event: the service clients, its environment
/// and the clock. The host provides them: in-process simulated services in the simulator,
/// AWS-backed clients in a deployed function. Handlers never call `Date()`; they ask
/// ``now()``, which reads ``clock``.
public struct Services: Sendable {
    /// DynamoDB-style tables.
    public var tables: any TableClient
    /// SNS topics and SES e-mail.
    public var notifications: any NotificationClient
    /// The Cognito user pool's admin operations.
    public var users: any UserDirectoryClient
    /// SSM parameters.
    public var parameters: any ParameterClient
    /// The function's environment variables (table names, topic ARNs, the user pool id…).
    public var environment: [String: String]
    /// Where the time comes from: the system clock in AWS, the simulator's clock locally.
    public var clock: Clock

    /// Bundles the clients, environment and clock for a handler.
    public init(
        tables: any TableClient,
        notifications: any NotificationClient,
        users: any UserDirectoryClient,
        parameters: any ParameterClient,
        environment: [String: String] = [:],
        clock: Clock = .system
    ) {
        self.tables = tables
        self.notifications = notifications
        self.users = users
        self.parameters = parameters
        self.environment = environment
        self.clock = clock
    }

    /// The current time, from ``clock``.
    public func now() -> Date { clock.now() }

    /// The environment variable `name`.
    ///
    /// - Throws: ``MissingEnvironmentVariable`` when it is not set or empty.
    public func requiredEnvironment(_ name: String) throws -> String {
        guard let value = environment[name], !value.isEmpty else {
            throw MissingEnvironmentVariable(name: name)
        }
        return value
    }
}

/// A handler needed an environment variable its function does not set: a blueprint or
/// deployment mistake, not the caller's.
public struct MissingEnvironmentVariable: Error, Equatable, Sendable, CustomStringConvertible {
    /// The variable's name.
    public var name: String

    /// Creates the error for the variable `name`.
    public init(name: String) {
        self.name = name
    }

    /// `Environment variable 'NAME' is not set.`
    public var description: String {
        "Environment variable '\(name)' is not set."
    }
}

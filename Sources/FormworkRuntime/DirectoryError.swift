import Foundation

/// Why a user directory operation failed, as Cognito reports it.
public enum DirectoryError: AWSServiceError, Equatable {
    /// No such user (`UserNotFoundException`).
    case userNotFound(String)
    /// The user name is taken (`UsernameExistsException`).
    case usernameExists(String)
    /// Another user already has this e-mail as an alias (`AliasExistsException`).
    case aliasExists(String)
    /// A parameter is not valid (`InvalidParameterException`).
    case invalidParameter(String)
    /// The password breaks the pool's policy (`InvalidPasswordException`).
    case invalidPassword(String)
    /// The user pool or group does not exist (`ResourceNotFoundException`).
    case resourceNotFound(String)
    /// Not allowed (`NotAuthorizedException`).
    case notAuthorized(String)
    /// Throttled (`TooManyRequestsException`).
    case tooManyRequests(String)
    /// A pool limit was reached (`LimitExceededException`).
    case limitExceeded(String)
    /// Any other error, by its AWS name.
    case other(code: String, message: String)

    /// Maps an AWS exception name and message to a case.
    public init(awsErrorCode code: String, message: String) {
        switch code {
        case "UserNotFoundException": self = .userNotFound(message)
        case "UsernameExistsException": self = .usernameExists(message)
        case "AliasExistsException": self = .aliasExists(message)
        case "InvalidParameterException": self = .invalidParameter(message)
        case "InvalidPasswordException": self = .invalidPassword(message)
        case "ResourceNotFoundException": self = .resourceNotFound(message)
        case "NotAuthorizedException": self = .notAuthorized(message)
        case "TooManyRequestsException": self = .tooManyRequests(message)
        case "LimitExceededException": self = .limitExceeded(message)
        default: self = .other(code: code, message: message)
        }
    }

    /// The AWS exception name.
    public var awsErrorCode: String {
        switch self {
        case .userNotFound: "UserNotFoundException"
        case .usernameExists: "UsernameExistsException"
        case .aliasExists: "AliasExistsException"
        case .invalidParameter: "InvalidParameterException"
        case .invalidPassword: "InvalidPasswordException"
        case .resourceNotFound: "ResourceNotFoundException"
        case .notAuthorized: "NotAuthorizedException"
        case .tooManyRequests: "TooManyRequestsException"
        case .limitExceeded: "LimitExceededException"
        case .other(let code, _): code
        }
    }

    /// The message for people.
    public var message: String {
        switch self {
        case .userNotFound(let message), .usernameExists(let message), .aliasExists(let message),
            .invalidParameter(let message), .invalidPassword(let message), .resourceNotFound(let message),
            .notAuthorized(let message), .tooManyRequests(let message), .limitExceeded(let message),
            .other(_, let message):
            message
        }
    }
}

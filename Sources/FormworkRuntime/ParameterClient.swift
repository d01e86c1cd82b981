import Foundation

/// Reading SSM parameters: configuration a blueprint keeps in a `Parameter`. The simulator
/// answers from the model; a deployed function reaches SSM.
///
/// Every method throws ``ParameterError``.
public protocol ParameterClient: Sendable {
    /// SSM `GetParameter`: the value of the parameter `name` (its path, such as
    /// `/taskmgmt/prod/reminder-window-hours`).
    func getParameter(name: String) async throws -> String
}

/// Why reading a parameter failed, as SSM reports it.
public enum ParameterError: AWSServiceError, Equatable {
    /// No such parameter (`ParameterNotFound`).
    case parameterNotFound(String)
    /// The function has no grant to read it (`AccessDeniedException`).
    case accessDenied(String)
    /// Any other error, by its AWS name.
    case other(code: String, message: String)

    /// Maps an AWS exception name and message to a case.
    public init(awsErrorCode code: String, message: String) {
        switch code {
        case "ParameterNotFound": self = .parameterNotFound(message)
        case "AccessDeniedException": self = .accessDenied(message)
        default: self = .other(code: code, message: message)
        }
    }

    /// The AWS exception name.
    public var awsErrorCode: String {
        switch self {
        case .parameterNotFound: "ParameterNotFound"
        case .accessDenied: "AccessDeniedException"
        case .other(let code, _): code
        }
    }

    /// The message for people.
    public var message: String {
        switch self {
        case .parameterNotFound(let message), .accessDenied(let message), .other(_, let message): message
        }
    }
}

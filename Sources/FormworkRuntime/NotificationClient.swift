import Foundation

/// Publishing to SNS topics and sending e-mail through SES. In the simulator both land in
/// the outbox (and topic subscribers are invoked); a deployed function reaches SNS and SES.
///
/// Every method throws ``NotificationError``.
public protocol NotificationClient: Sendable {
    /// SNS `Publish`: sends `message` to the topic's subscribers and returns its message id.
    func publish(
        topicArn: String,
        message: String,
        subject: String?,
        attributes: [String: SNSMessageAttribute]
    ) async throws -> String

    /// SES `SendEmail`: sends a message with a text body, an HTML body or both, and returns
    /// its message id.
    func sendEmail(
        from: String,
        to: [String],
        subject: String,
        textBody: String?,
        htmlBody: String?
    ) async throws -> String
}

extension NotificationClient {
    /// SNS `Publish` without a subject or attributes.
    @discardableResult
    public func publish(topicArn: String, message: String) async throws -> String {
        try await publish(topicArn: topicArn, message: message, subject: nil, attributes: [:])
    }

    /// SES `SendEmail` of a plain-text message to one recipient.
    @discardableResult
    public func sendEmail(from: String, to recipient: String, subject: String, textBody: String) async throws -> String {
        try await sendEmail(from: from, to: [recipient], subject: subject, textBody: textBody, htmlBody: nil)
    }
}

/// Why publishing or sending failed, as SNS and SES report it.
public enum NotificationError: AWSServiceError, Equatable {
    /// The topic does not exist (SNS `NotFoundException`).
    case topicNotFound(String)
    /// A parameter is not valid (SNS `InvalidParameterException`).
    case invalidParameter(String)
    /// The function has no grant to publish or send (`AuthorizationErrorException`).
    case authorizationError(String)
    /// SES refused the message, for instance an unverified sender (`MessageRejected`).
    case messageRejected(String)
    /// Any other error, by its AWS name.
    case other(code: String, message: String)

    /// Maps an AWS exception name and message to a case.
    public init(awsErrorCode code: String, message: String) {
        switch code {
        case "NotFoundException", "NotFound": self = .topicNotFound(message)
        case "InvalidParameterException", "InvalidParameter": self = .invalidParameter(message)
        case "AuthorizationErrorException", "AuthorizationError": self = .authorizationError(message)
        case "MessageRejected": self = .messageRejected(message)
        default: self = .other(code: code, message: message)
        }
    }

    /// The AWS exception name.
    public var awsErrorCode: String {
        switch self {
        case .topicNotFound: "NotFoundException"
        case .invalidParameter: "InvalidParameterException"
        case .authorizationError: "AuthorizationErrorException"
        case .messageRejected: "MessageRejected"
        case .other(let code, _): code
        }
    }

    /// The message for people.
    public var message: String {
        switch self {
        case .topicNotFound(let message), .invalidParameter(let message), .authorizationError(let message),
            .messageRejected(let message), .other(_, let message):
            message
        }
    }
}

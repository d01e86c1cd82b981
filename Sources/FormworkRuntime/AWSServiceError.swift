import Foundation

/// An error a service client reports, with the name AWS gives it, so the simulator can
/// answer with AWS's error shape and an AWS-backed client can map AWS's answer back.
public protocol AWSServiceError: Error, Sendable, CustomStringConvertible {
    /// The AWS exception name, such as `ConditionalCheckFailedException`.
    var awsErrorCode: String { get }
    /// The message for people.
    var message: String { get }
}

extension AWSServiceError {
    /// `Code: message`.
    public var description: String {
        "\(awsErrorCode): \(message)"
    }
}

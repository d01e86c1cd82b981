import Foundation

/// Why a table operation failed, as DynamoDB reports it.
public enum TableError: AWSServiceError, Equatable {
    /// The write's condition was not met (`ConditionalCheckFailedException`).
    case conditionalCheckFailed
    /// The request is not valid (`ValidationException`).
    case validation(String)
    /// The table or index does not exist (`ResourceNotFoundException`).
    case resourceNotFound(String)
    /// A transaction was cancelled; one reason per action, in order
    /// (`TransactionCanceledException`).
    case transactionCanceled(reasons: [CancellationReason])
    /// Another transaction is changing the same item (`TransactionConflictException`).
    case transactionConflict(String)
    /// The item would be over 400 KB (DynamoDB reports a `ValidationException`).
    case itemTooLarge
    /// The function has no grant for this action on this table (`AccessDeniedException`).
    case accessDenied(String)
    /// Too many requests for the table's capacity (`ProvisionedThroughputExceededException`).
    case provisionedThroughputExceeded(String)
    /// Any other error, by its AWS name.
    case other(code: String, message: String)

    /// Maps an AWS exception name and message to a case. A `TransactionCanceledException`
    /// maps without reasons; a client that has AWS's `CancellationReasons` builds
    /// ``transactionCanceled(reasons:)`` with them instead.
    public init(awsErrorCode code: String, message: String) {
        switch code {
        case "ConditionalCheckFailedException": self = .conditionalCheckFailed
        case "ValidationException":
            self = message.contains("Item size has exceeded") ? .itemTooLarge : .validation(message)
        case "ResourceNotFoundException": self = .resourceNotFound(message)
        case "TransactionCanceledException": self = .transactionCanceled(reasons: [])
        case "TransactionConflictException": self = .transactionConflict(message)
        case "AccessDeniedException": self = .accessDenied(message)
        case "ProvisionedThroughputExceededException": self = .provisionedThroughputExceeded(message)
        default: self = .other(code: code, message: message)
        }
    }

    /// The AWS exception name.
    public var awsErrorCode: String {
        switch self {
        case .conditionalCheckFailed: "ConditionalCheckFailedException"
        case .validation, .itemTooLarge: "ValidationException"
        case .resourceNotFound: "ResourceNotFoundException"
        case .transactionCanceled: "TransactionCanceledException"
        case .transactionConflict: "TransactionConflictException"
        case .accessDenied: "AccessDeniedException"
        case .provisionedThroughputExceeded: "ProvisionedThroughputExceededException"
        case .other(let code, _): code
        }
    }

    /// The message, in DynamoDB's words where it has fixed ones.
    public var message: String {
        switch self {
        case .conditionalCheckFailed: "The conditional request failed"
        case .itemTooLarge: "Item size has exceeded the maximum allowed size"
        case .transactionCanceled(let reasons):
            "Transaction cancelled, please refer cancellation reasons for specific reasons ["
                + reasons.map(\.code).joined(separator: ", ") + "]"
        case .validation(let message), .resourceNotFound(let message), .transactionConflict(let message),
            .accessDenied(let message), .provisionedThroughputExceeded(let message), .other(_, let message):
            message
        }
    }
}

/// Why one action of a cancelled transaction failed (`CancellationReasons` entries).
public struct CancellationReason: Codable, Equatable, Sendable {
    /// `None` (this action was fine), `ConditionalCheckFailed`, `TransactionConflict`,
    /// `ValidationError`, `ItemCollectionSizeLimitExceeded`,
    /// `ProvisionedThroughputExceeded` or `ThrottlingError`.
    public var code: String
    /// Details, when there are any.
    public var message: String?
    /// The item as it was, when the action asked for it on a failed condition.
    public var item: TableItem?

    /// The reason given for an action that did not cause the cancellation (code `None`).
    public static let noFailure = CancellationReason(code: "None")

    /// Creates a reason.
    public init(code: String, message: String? = nil, item: TableItem? = nil) {
        self.code = code
        self.message = message
        self.item = item
    }

    private enum CodingKeys: String, CodingKey {
        case code = "Code"
        case message = "Message"
        case item = "Item"
    }
}

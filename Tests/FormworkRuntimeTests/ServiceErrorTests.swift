import FormworkRuntime
import Testing

@Suite("Service errors")
struct ServiceErrorTests {
    @Test("table errors carry DynamoDB's exception names and map back from them")
    func tableErrors() {
        let cases: [TableError] = [
            .conditionalCheckFailed, .validation("bad"), .resourceNotFound("no table"),
            .transactionConflict("busy"), .accessDenied("no grant"), .provisionedThroughputExceeded("slow down"),
            .other(code: "InternalServerError", message: "oops"),
        ]
        for error in cases {
            #expect(TableError(awsErrorCode: error.awsErrorCode, message: error.message) == error)
        }
        #expect(TableError.conditionalCheckFailed.awsErrorCode == "ConditionalCheckFailedException")
        #expect(TableError.itemTooLarge.awsErrorCode == "ValidationException")
        #expect(TableError(awsErrorCode: "ValidationException", message: TableError.itemTooLarge.message) == .itemTooLarge)
        #expect(TableError.accessDenied("x").awsErrorCode == "AccessDeniedException")
    }

    @Test("a cancelled transaction lists its reasons as DynamoDB does")
    func transactionCanceled() throws {
        let error = TableError.transactionCanceled(reasons: [.noFailure, CancellationReason(code: "ConditionalCheckFailed", message: "The conditional request failed")])
        #expect(error.awsErrorCode == "TransactionCanceledException")
        #expect(error.message.hasSuffix("[None, ConditionalCheckFailed]"))
        #expect(error.description.hasPrefix("TransactionCanceledException: Transaction cancelled"))

        let reason = try decode(CancellationReason.self, #"{"Code":"ConditionalCheckFailed","Item":{"version":{"N":"2"}}}"#)
        #expect(reason == CancellationReason(code: "ConditionalCheckFailed", item: ["version": 2]))
        #expect(try roundTrip(reason) == reason)
    }

    @Test("directory errors carry Cognito's exception names and map back from them")
    func directoryErrors() {
        let cases: [DirectoryError] = [
            .userNotFound("u"), .usernameExists("u"), .aliasExists("a"), .invalidParameter("p"),
            .invalidPassword("w"), .resourceNotFound("r"), .notAuthorized("n"), .tooManyRequests("t"),
            .limitExceeded("l"), .other(code: "InternalErrorException", message: "i"),
        ]
        for error in cases {
            #expect(DirectoryError(awsErrorCode: error.awsErrorCode, message: error.message) == error)
        }
        #expect(DirectoryError.userNotFound("User does not exist.").awsErrorCode == "UserNotFoundException")
        #expect(DirectoryError.usernameExists("x").awsErrorCode == "UsernameExistsException")
    }

    @Test("notification errors carry SNS and SES names and map back from them")
    func notificationErrors() {
        let cases: [NotificationError] = [
            .topicNotFound("t"), .invalidParameter("p"), .authorizationError("a"), .messageRejected("m"),
            .other(code: "Throttling", message: "x"),
        ]
        for error in cases {
            #expect(NotificationError(awsErrorCode: error.awsErrorCode, message: error.message) == error)
        }
        #expect(NotificationError(awsErrorCode: "NotFound", message: "t") == .topicNotFound("t"))
    }
}

import Foundation

/// What a host tells a handler about one invocation. The time and the function's
/// environment belong to the ``Services`` the handler was built with.
public struct HandlerContext: Sendable {
    /// The invocation's request id (the Lambda request id).
    public var requestId: String
    /// The name of the function being invoked.
    public var functionName: String
    /// When the invocation times out.
    public var deadline: Date
    /// Where the handler's log lines go.
    public var logger: any HandlerLogger

    /// Creates a context.
    public init(requestId: String, functionName: String, deadline: Date, logger: any HandlerLogger) {
        self.requestId = requestId
        self.functionName = functionName
        self.deadline = deadline
        self.logger = logger
    }

    /// Time left before ``deadline`` by `clock`; negative once it has passed.
    public func remainingTime(by clock: Clock) -> TimeInterval {
        deadline.timeIntervalSince(clock.now())
    }
}

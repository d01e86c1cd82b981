import Foundation

/// What a host tells a handler about one invocation.
public struct HandlerContext: Sendable {
    /// The invocation's request id (the Lambda request id).
    public var requestId: String
    /// The name of the function being invoked.
    public var functionName: String
    /// When the invocation times out.
    public var deadline: Date
    /// The current time, from the host's clock (real, or the simulator's virtual clock).
    public var now: @Sendable () -> Date
    /// Where the handler's log lines go.
    public var logger: any HandlerLogger
    /// The function's environment variables.
    public var environment: [String: String]

    /// Creates a context.
    public init(
        requestId: String,
        functionName: String,
        deadline: Date,
        now: @escaping @Sendable () -> Date,
        logger: any HandlerLogger,
        environment: [String: String] = [:]
    ) {
        self.requestId = requestId
        self.functionName = functionName
        self.deadline = deadline
        self.now = now
        self.logger = logger
        self.environment = environment
    }

    /// Time left before ``deadline`` by ``now``; negative once it has passed.
    public var remainingTime: TimeInterval {
        deadline.timeIntervalSince(now())
    }
}

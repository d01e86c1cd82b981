import Foundation

/// A function's code: a type a host (the simulator, or the Lambda runtime in AWS) builds
/// once from the ``Services`` it provides, then invokes for each event.
public protocol FunctionHandler: Sendable {
    /// Creates the handler with the clients and settings it may use.
    init(services: Services)
}

/// A function behind a REST API route (Lambda proxy integration).
///
/// ```swift
/// struct MeHandler: APIHandler {
///     let services: Services
///     init(services: Services) { self.services = services }
///     func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse {
///         try .json(["userId": request.claims["sub"] ?? ""])
///     }
/// }
/// ```
public protocol APIHandler: FunctionHandler {
    /// Answers one request. A thrown error becomes a `502` at the gateway, so
    /// answer bad input with an error response instead.
    func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse
}

/// A function invoked by an EventBridge schedule.
public protocol ScheduledHandler: FunctionHandler {
    /// Does the scheduled work. A thrown error marks the invocation as failed.
    func handle(_ event: ScheduledEvent, context: HandlerContext) async throws
}

/// A function subscribed to an SNS topic.
public protocol SNSHandler: FunctionHandler {
    /// Processes the delivered messages. A thrown error marks the invocation as failed.
    func handle(_ event: SNSEvent, context: HandlerContext) async throws
}

import Foundation

/// An event a function receives, told apart by its shape as Lambda delivers it: an API
/// Gateway proxy request has `httpMethod`, an EventBridge scheduled event `detail-type`, an
/// SNS delivery `Records`.
public enum FunctionEvent: Sendable {
    /// An API Gateway REST proxy request.
    case api(APIGatewayRequest)
    /// An EventBridge (or Scheduler) scheduled event.
    case scheduled(ScheduledEvent)
    /// An SNS delivery.
    case sns(SNSEvent)

    /// Decodes `data` by its shape.
    ///
    /// - Throws: ``FunctionEventError`` when it is not a JSON object, has none of the three
    ///   shapes, or does not decode as the shape it has.
    public static func decode(_ data: Data) throws -> FunctionEvent {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw FunctionEventError.notAnObject
        }
        do {
            if object["httpMethod"] != nil { return .api(try JSONCoding.decode(APIGatewayRequest.self, from: data)) }
            if object["detail-type"] != nil { return .scheduled(try JSONCoding.decode(ScheduledEvent.self, from: data)) }
            if object["Records"] != nil { return .sns(try JSONCoding.decode(SNSEvent.self, from: data)) }
        } catch {
            throw FunctionEventError.malformed("\(error)")
        }
        throw FunctionEventError.unknownShape
    }

    /// The event as Lambda delivers it.
    public func encoded() throws -> Data {
        switch self {
        case .api(let request): try JSONCoding.encode(request)
        case .scheduled(let event): try JSONCoding.encode(event)
        case .sns(let event): try JSONCoding.encode(event)
        }
    }

    /// A function's answer to the event, read from what its runtime posted: the API response
    /// for an API event, nothing for the others.
    public func answer(from data: Data) throws -> APIGatewayResponse? {
        guard case .api = self else { return nil }
        return try JSONCoding.decode(APIGatewayResponse.self, from: data)
    }

    /// Runs `handler` with the event, when the handler takes events of this shape; returns
    /// the API response for an API event, nil for the others.
    ///
    /// - Throws: ``FunctionEventError/notHandled(_:)`` when the handler does not take this
    ///   shape, or whatever the handler throws.
    public func run(_ handler: any FunctionHandler, context: HandlerContext) async throws -> APIGatewayResponse? {
        switch self {
        case .api(let request):
            guard let handler = handler as? any APIHandler else { throw FunctionEventError.notHandled("API Gateway requests") }
            return try await handler.handle(request, context: context)
        case .scheduled(let event):
            guard let handler = handler as? any ScheduledHandler else { throw FunctionEventError.notHandled("scheduled events") }
            try await handler.handle(event, context: context)
            return nil
        case .sns(let event):
            guard let handler = handler as? any SNSHandler else { throw FunctionEventError.notHandled("SNS events") }
            try await handler.handle(event, context: context)
            return nil
        }
    }
}

/// Why an event could not be given to a handler.
public enum FunctionEventError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The event is not a JSON object.
    case notAnObject
    /// The event has none of the shapes a function takes.
    case unknownShape
    /// The event has a shape but does not decode as it.
    case malformed(String)
    /// The handler does not take events of this kind.
    case notHandled(String)

    public var description: String {
        switch self {
        case .notAnObject: "The event must be a JSON object."
        case .unknownShape:
            "The event is none of an API Gateway proxy request (httpMethod), a scheduled event (detail-type) and an SNS event (Records)."
        case .malformed(let detail): "The event does not decode: \(detail)"
        case .notHandled(let kind): "The handler does not take \(kind)."
        }
    }
}

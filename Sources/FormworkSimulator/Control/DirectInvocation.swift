import Formwork
import FormworkRuntime
import Foundation
import Hummingbird

/// One function run directly with an event, as `sam local invoke` does: the event's shape
/// (an API Gateway proxy request, a scheduled event, an SNS event) picks the handler; the
/// answer carries the response or the error and the invocation's log lines.
struct DirectInvocation {
    let simulator: Simulator
    let function: Function

    /// The event a schedule of the function would send now.
    func scheduledEvent() -> Data {
        (try? JSONCoding.encode(simulator.scheduler.event(for: function, at: simulator.clock.now()))) ?? Data()
    }

    /// The event the topic the function subscribes to would deliver for `message`.
    func snsEvent(message: String) -> Data {
        (try? JSONCoding.encode(simulator.messaging.event(delivering: message, to: function))) ?? Data()
    }

    func answer(_ body: Data) async -> Response {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            return ControlResponse.badRequest("The event must be a JSON object.")
        }
        let functions = simulator.functions
        let requestId = UUID().uuidString.lowercased()
        var answer: [String: Any] = ["functionName": functions.functionName(function), "requestId": requestId]
        let log: [FunctionLogs.Line]
        let failure: FunctionHost.Failure?
        do {
            if object["httpMethod"] != nil {
                var event = try JSONCoding.decode(APIGatewayRequest.self, from: body)
                event.requestContext.requestId = requestId
                let outcome = await functions.invoke(function, api: event)
                log = outcome.log
                switch outcome.result {
                case .success(let response):
                    answer["response"] = (try? JSONSerialization.jsonObject(with: JSONCoding.encode(response))) ?? [:]
                    failure = nil
                case .failure(let error): failure = error
                }
            } else if object["detail-type"] != nil {
                let outcome = await functions.invoke(function, scheduled: try JSONCoding.decode(ScheduledEvent.self, from: body), requestId: requestId)
                (log, failure) = (outcome.log, outcome.result.failure)
            } else if object["Records"] != nil {
                let outcome = await functions.invoke(function, sns: try JSONCoding.decode(SNSEvent.self, from: body), requestId: requestId)
                (log, failure) = (outcome.log, outcome.result.failure)
            } else {
                return ControlResponse.badRequest(
                    "The event is none of an API Gateway proxy request (httpMethod), a scheduled event (detail-type) and an SNS event (Records).")
            }
        } catch {
            return ControlResponse.badRequest("The event does not decode: \(error)")
        }
        answer["status"] = failure == nil ? "succeeded" : "failed"
        if let failure { answer["error"] = AsyncInvocations.describe(failure) }
        answer["log"] = log.map { ["timestamp": JSONCoding.formatDate($0.timestamp), "message": $0.message] }
        return ControlResponse.json(answer)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

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
        let event: FunctionEvent
        do { event = try FunctionEvent.decode(body) } catch { return ControlResponse.badRequest("\(error)") }
        let functions = simulator.functions
        let requestId = UUID().uuidString.lowercased()
        var answer: [String: Any] = ["functionName": functions.functionName(function), "requestId": requestId]
        let log: [FunctionLogs.Line]
        let failure: FunctionHost.Failure?
        switch event {
        case .api(var request):
            request.requestContext.requestId = requestId
            let outcome = await functions.invoke(function, api: request)
            log = outcome.log
            switch outcome.result {
            case .success(let response):
                answer["response"] = (try? JSONSerialization.jsonObject(with: JSONCoding.encode(response))) ?? [:]
                failure = nil
            case .failure(let error): failure = error
            }
        case .scheduled(let scheduled):
            let outcome = await functions.invoke(function, scheduled: scheduled, requestId: requestId)
            (log, failure) = (outcome.log, outcome.result.failure)
        case .sns(let sns):
            let outcome = await functions.invoke(function, sns: sns, requestId: requestId)
            (log, failure) = (outcome.log, outcome.result.failure)
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

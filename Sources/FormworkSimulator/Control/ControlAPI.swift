import Formwork
import FormworkRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The simulator's JSON control API under `/_formwork/`: health, endpoints, resources, the
/// clock and the outbox.
struct ControlAPI {
    let simulator: Simulator

    func addRoutes(to router: Router<BasicRequestContext>) {
        let simulator = self.simulator
        router.get("/_formwork/health") { _, _ in ControlResponse.json(["status": "ok"]) }
        router.get("/_formwork/endpoints") { _, _ in ControlResponse.json(simulator.endpoints) }
        router.get("/_formwork/resources") { _, _ in
            let entries = simulator.naming.entries(of: simulator.architecture, endpoint: simulator.endpoint)
            return ControlResponse.json([
                "environment": simulator.environment.name,
                "resources": entries.map { entry -> [String: Any] in
                    var value: [String: Any] = ["logicalId": entry.logicalId, "kind": entry.kind, "name": entry.name]
                    value["arn"] = entry.arn
                    value["url"] = entry.url
                    return value
                },
            ])
        }
        router.get("/_formwork/clock") { _, _ in Self.clockAnswer(simulator) }
        router.post("/_formwork/clock") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let input = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] else {
                return ControlResponse.badRequest("The body must be a JSON object: {\"advance\": \"PT1H\"} or {\"set\": \"2026-12-01T09:00:00Z\"}.")
            }
            switch (input["advance"], input["set"]) {
            case (let advance as String, nil):
                guard let interval = ISO8601Duration.seconds(advance), interval.isFinite else {
                    return ControlResponse.badRequest("'advance' must be an ISO 8601 duration such as PT25H or P1DT30M, not '\(advance)'.")
                }
                guard Self.supported.contains(simulator.clock.now().timeIntervalSince1970 + interval) else {
                    return ControlResponse.badRequest("'advance' would move the clock outside the years 1970 to 9999.")
                }
                do { try await simulator.advanceClock(by: interval) } catch { return ControlResponse.badRequest("\(error)") }
            case (nil, let set as String):
                guard let date = JSONCoding.parseDate(set) else {
                    return ControlResponse.badRequest("'set' must be an RFC 3339 time such as 2026-12-01T09:00:00Z, not '\(set)'.")
                }
                guard Self.supported.contains(date.timeIntervalSince1970) else {
                    return ControlResponse.badRequest("'set' must be a time in the years 1970 to 9999.")
                }
                do { try await simulator.setClock(to: date) } catch { return ControlResponse.badRequest("\(error)") }
            default:
                return ControlResponse.badRequest("Give exactly one of 'advance' (an ISO 8601 duration) and 'set' (an RFC 3339 time).")
            }
            return Self.clockAnswer(simulator)
        }
        router.get("/_formwork/logs/:function") { request, context -> Response in
            let name = context.parameters.get("function") ?? ""
            guard let function = simulator.functions.function(named: name) else {
                return ControlResponse.json(["message": "No function '\(name)' in the blueprint."], status: .notFound)
            }
            let group = simulator.functions.logGroup(function)
            let lines = try simulator.functions.logs.lines(group)
            return ControlResponse.json([
                "logGroup": group,
                "events": lines.map { ["timestamp": JSONCoding.formatDate($0.timestamp), "requestId": $0.requestId, "message": $0.message] },
            ])
        }
        router.delete("/_formwork/outbox") { _, _ -> Response in
            let removed = try simulator.outbox.clear()
            return ControlResponse.json(["deleted": removed])
        }
        router.get("/_formwork/schedules") { _, _ -> Response in
            ControlResponse.json([
                "now": JSONCoding.formatDate(simulator.clock.now()),
                "schedules": simulator.scheduler.entries.map { entry -> [String: Any] in
                    var value: [String: Any] = [
                        "name": entry.name, "arn": entry.arn, "expression": entry.expression, "timeZone": entry.timeZone, "target": entry.target,
                        "state": entry.enabled ? "ENABLED" : "DISABLED", "fires": entry.fires,
                    ]
                    value["nextFire"] = entry.nextFire.map(JSONCoding.formatDate)
                    value["lastFire"] = entry.lastFire.map(JSONCoding.formatDate)
                    return value
                },
            ])
        }
        router.get("/_formwork/failures") { request, _ -> Response in
            let failures = try simulator.failures.failures(target: request.uri.queryParameters.get("target"))
            return ControlResponse.json([
                "failures": failures.map { failure -> [String: Any] in
                    var value: [String: Any] = [
                        "eventId": failure.eventId, "target": failure.target, "source": failure.source, "attempt": failure.attempt,
                        "error": failure.error, "at": JSONCoding.formatDate(failure.at), "event": failure.event,
                    ]
                    switch failure.next {
                    case .retry(let date):
                        value["next"] = "retry"
                        value["retryAt"] = JSONCoding.formatDate(date)
                    case .deadLettered(let queue):
                        value["next"] = "dead-letter"
                        value["deadLetterQueue"] = queue
                    case .dropped:
                        value["next"] = "dropped"
                    }
                    return value
                }
            ])
        }
        router.get("/_formwork/functions/:function") { _, context -> Response in
            let name = context.parameters.get("function") ?? ""
            guard let function = simulator.functions.function(named: name) else {
                return ControlResponse.json(["message": "No function '\(name)' in the blueprint."], status: .notFound)
            }
            return ControlResponse.json([
                "logicalId": function.name, "functionName": simulator.functions.functionName(function), "handler": function.handlerName,
                "architecture": function.architecture.rawValue, "memory": function.memory, "timeout": function.timeout.seconds, "codeUri": function.codePath,
                "logGroup": simulator.functions.logGroup(function), "environment": simulator.functions.environment(of: function),
                "credentials": simulator.functions.credentials(of: function),
            ])
        }
        router.post("/_formwork/functions/:function/invoke") { request, context -> Response in
            let name = context.parameters.get("function") ?? ""
            guard let function = simulator.functions.function(named: name) else {
                return ControlResponse.json(["message": "No function '\(name)' in the blueprint."], status: .notFound)
            }
            let body = try await request.body.collect(upTo: 6 * 1024 * 1024)
            let invocation = DirectInvocation(simulator: simulator, function: function)
            switch request.uri.queryParameters.get("event") {
            case nil: return await invocation.answer(Data(buffer: body))
            case "scheduled": return await invocation.answer(invocation.scheduledEvent())
            case "sns": return await invocation.answer(invocation.snsEvent(message: String(buffer: body)))
            case let other?: return ControlResponse.badRequest("'event' must be scheduled or sns, not '\(other)'.")
            }
        }
        router.get("/_formwork/outbox") { request, _ -> Response in
            let query = request.uri.queryParameters
            var since: Date?
            if let text = query.get("since") {
                guard let date = JSONCoding.parseDate(text) else {
                    return ControlResponse.badRequest("'since' must be an RFC 3339 time such as 2026-12-01T09:00:00Z, not '\(text)'.")
                }
                since = date
            }
            let messages = try simulator.outbox.messages(to: query.get("to"), since: since)
            return ControlResponse.json(["messages": messages.map { ControlJSON.message($0) }])
        }
    }

    /// The times the clock may be moved to: 1970-01-01 to 9999-12-31 (epoch seconds).
    static let supported: ClosedRange<Double> = 0...253_402_300_799

    private static func clockAnswer(_ simulator: Simulator) -> Response {
        ControlResponse.json(["now": JSONCoding.formatDate(simulator.clock.now()), "mode": simulator.clock.mode.rawValue])
    }
}

/// JSON answers of the control API and the discovery documents.
enum ControlResponse {
    static func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONBody.data(object))))
    }

    static func badRequest(_ message: String) -> Response {
        json(["message": message], status: .badRequest)
    }

    static func notFound() -> Response {
        json(["message": "Not Found"], status: .notFound)
    }
}

/// ISO 8601 durations: `PnW`, `PnDTnHnMnS` and their parts, with an optional sign and
/// fractional seconds. Years and months have no fixed length, so they are refused.
enum ISO8601Duration {
    static func seconds(_ text: String) -> TimeInterval? {
        var rest = Substring(text.uppercased())
        var sign = 1.0
        if rest.first == "-" || rest.first == "+" {
            sign = rest.first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        guard rest.first == "P" else { return nil }
        rest = rest.dropFirst()
        var total = 0.0
        var inTime = false
        var sawPart = false
        var number = ""
        for character in rest {
            switch character {
            case "T":
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
            case "0"..."9", ".", ",":
                number.append(character == "," ? "." : character)
            default:
                guard let value = Double(number) else { return nil }
                let unit: Double? =
                    switch (inTime, character) {
                    case (false, "W"): 604_800
                    case (false, "D"): 86_400
                    case (true, "H"): 3_600
                    case (true, "M"): 60
                    case (true, "S"): 1
                    default: nil
                    }
                guard let unit else { return nil }
                total += value * unit
                number = ""
                sawPart = true
            }
        }
        guard sawPart, number.isEmpty else { return nil }
        return sign * total
    }
}

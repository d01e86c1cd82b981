import Formwork
import FormworkRuntime
import FormworkSimulator
import FormworkTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Logs each fire: its scheduled time, the clock's time, the rule and the source.
struct TickHandler: ScheduledHandler {
    let services: Services
    init(services: Services) { self.services = services }

    func handle(_ event: ScheduledEvent, context: HandlerContext) async throws {
        context.logger.info(
            "fired \(JSONCoding.formatDate(event.time)) clock \(JSONCoding.formatDate(services.now())) rule \(event.resources.first ?? "") source \(event.source)"
        )
    }
}

/// Always fails.
struct FailingJob: ScheduledHandler {
    init(services: Services) {}

    func handle(_ event: ScheduledEvent, context: HandlerContext) async throws {
        throw JobFailure()
    }

    struct JobFailure: Error, CustomStringConvertible {
        var description: String { "the job failed on purpose" }
    }
}

/// Logs each message it receives, with its attributes.
struct MessageReceiver: SNSHandler {
    init(services: Services) {}

    func handle(_ event: SNSEvent, context: HandlerContext) async throws {
        for record in event.records {
            let attributes = record.sns.messageAttributes.keys.sorted().map { "\($0)=\(record.sns.messageAttributes[$0]?.value ?? "")" }
            context.logger.info("received \(record.sns.message) subject \(record.sns.subject ?? "-") [\(attributes.joined(separator: ","))]")
        }
    }
}

/// Publishes every message it receives back to its topic: a loop Lambda stops.
struct EchoHandler: SNSHandler {
    let services: Services
    init(services: Services) { self.services = services }

    func handle(_ event: SNSEvent, context: HandlerContext) async throws {
        for record in event.records {
            context.logger.info("echo \(record.sns.message)")
            try await services.notifications.publish(topicArn: services.environment["TOPIC_ARN"] ?? "", message: record.sns.message)
        }
    }
}

/// A topic whose subscriber publishes to it again.
func loopArchitecture() -> Architecture {
    let base = Function("Echo", handler: EchoHandler.self).named("echo")
    let topic = Topic("Loop").named("loop").subscribe(.function(base))
    let echo = base.environment("TOPIC_ARN", topic).grants(.publish(topic))
    return Architecture("Loop") {
        echo
        topic
    }
}

/// Schedules, a failing target, and a topic with every kind of subscription.
func messagingArchitecture(webhook: String = "https://hooks.example.com/notify") -> Architecture {
    let ticker = Function("Ticker", handler: TickHandler.self).named("ticker")
    let flaky = Function("Flaky", handler: FailingJob.self).named("flaky")
    let impatient = Function("Impatient", handler: FailingJob.self).named("impatient").asyncRetries(2, maxEventAge: .minutes(2))
        .deadLetterQueue(false)
    let receiver = Function("Receiver", handler: MessageReceiver.self).named("receiver")
    let topic = Topic("Events").named("events").subscribe(
        .email("all@example.com"),
        .email("alerts@example.com").filter(["kind": [.equals("alert")]]),
        .sms("+14155550100").filter(["level": [.numeric(atLeast: 3)]]),
        .emailJSON("json@example.com"),
        .https(webhook),
        .function(receiver).filter(["kind": [.anythingBut(["noise"])]]))
    return Architecture("Messaging") {
        ticker
        flaky
        impatient
        receiver
        topic
        EmailIdentity("Sender", identity: "example.com")
        Schedule("Hourly", .rate(.hours(1)), invoke: ticker)
        Schedule("Noon", .cron("0 12 * * ? *"), invoke: flaky)
        Schedule("NoonToo", .cron("0 12 * * ? *"), invoke: impatient)
        Schedule("Berlin", .cron("0 9 * * ? *"), invoke: ticker).timeZone("Europe/Berlin")
        Schedule("Paused", .rate(.minutes(5)), invoke: ticker).enabled(false)
    }
}

extension Host {
    /// Sends an AWS query-protocol request (SNS, SES) signed for `service`.
    func query(_ fields: [(String, String)], service: String = "sns") async throws -> (status: Int, body: String) {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded; charset=utf-8"]
        headers[.authorization] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/us-east-1/\(service)/aws4_request, SignedHeaders=host, Signature=00"
        return try await client.execute(uri: "/", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            (Int(response.status.code), String(buffer: response.body))
        }
    }

    /// The messages the function logged (without Lambda's own lines).
    func logged(_ function: String) throws -> [String] {
        try simulator.functions.logs.lines("/aws/lambda/\(function)").map(\.message).filter { $0.hasPrefix("INFO ") }.map {
            String($0.dropFirst(5))
        }
    }

    func topicArn(_ name: String = "events") -> String { "arn:aws:sns:us-east-1:000000000000:\(name)" }
}

@Suite("Schedules, messaging and time travel")
struct SchedulesAndMessagingTests {
    private func text(_ date: Date) -> String { JSONCoding.formatDate(date) }

    @Test("a jump of 25 hours on rate(1 hour) runs exactly 25 invocations, in order, each at its own time")
    func catchUp() async throws {
        try await withHost(architecture: messagingArchitecture()) { host in
            let moved = try await host.post("/_formwork/clock", #"{"advance": "PT25H"}"#)
            #expect(moved.status == 200)
            #expect(moved.json["now"] as? String == text(simulatorStart.addingTimeInterval(25 * 3600)))

            let hourly = try host.logged("ticker").filter { $0.contains("rule/Hourly") }
            #expect(hourly.count == 25)
            for (index, line) in hourly.enumerated() {
                let time = text(simulatorStart.addingTimeInterval(Double(index + 1) * 3600))
                #expect(line == "fired \(time) clock \(time) rule arn:aws:events:us-east-1:000000000000:rule/Hourly source aws.events")
            }
            // 09:00 in Berlin is 08:00 UTC in winter: once, on the second day.
            let berlin = try host.logged("ticker").filter { $0.contains("Berlin") }
            #expect(
                berlin == [
                    "fired 2026-12-02T08:00:00Z clock 2026-12-02T08:00:00Z rule arn:aws:scheduler:us-east-1:000000000000:schedule/default/Berlin source aws.scheduler"
                ])

            let schedules = try await host.get("/_formwork/schedules").json["schedules"] as? [[String: Any]] ?? []
            let byName = Dictionary(uniqueKeysWithValues: schedules.map { ($0["name"] as? String ?? "", $0) })
            #expect(byName["Hourly"]?["fires"] as? Int == 25)
            #expect(byName["Hourly"]?["nextFire"] as? String == text(simulatorStart.addingTimeInterval(26 * 3600)))
            #expect(byName["Berlin"]?["timeZone"] as? String == "Europe/Berlin")
            #expect(byName["Berlin"]?["nextFire"] as? String == "2026-12-03T08:00:00Z")
            #expect(byName["Paused"]?["state"] as? String == "DISABLED")
            #expect(byName["Paused"]?["nextFire"] == nil)
            #expect(byName["Paused"]?["fires"] as? Int == 0)
        }
    }

    @Test("a failing target is retried after one and two minutes, then its event goes to the dead-letter queue")
    func retriesThenDeadLetter() async throws {
        try await withHost(architecture: messagingArchitecture()) { host in
            // Noon UTC is three hours after the start.
            try await host.simulator.advanceClock(by: 4 * 3600)
            let failures = try await host.get("/_formwork/failures?target=flaky").json["failures"] as? [[String: Any]] ?? []
            #expect(failures.map { $0["attempt"] as? Int } == [1, 2, 3])
            #expect(failures.map { $0["at"] as? String } == ["2026-12-01T12:00:00Z", "2026-12-01T12:01:00Z", "2026-12-01T12:03:00Z"])
            #expect(failures.map { $0["next"] as? String } == ["retry", "retry", "dead-letter"])
            #expect(failures.last?["deadLetterQueue"] as? String == "arn:aws:sqs:us-east-1:000000000000:FlakyDeadLetterQueue")
            #expect(failures.allSatisfy { ($0["error"] as? String) == "the job failed on purpose" })
            #expect((failures.first?["event"] as? String)?.contains(#""time":"2026-12-01T12:00:00Z""#) == true)
            let starts = try host.simulator.functions.logs.lines("/aws/lambda/flaky").filter { $0.message.hasPrefix("START") }
            #expect(starts.map { text($0.timestamp) } == ["2026-12-01T12:00:00Z", "2026-12-01T12:01:00Z", "2026-12-01T12:03:00Z"])
            // Lambda keeps the event's request id across its retries.
            #expect(Set(starts.map(\.requestId)).count == 1)
            #expect(Set(failures.compactMap { $0["eventId"] as? String }) == [starts.first?.requestId ?? ""])

            // A two-minute maximum age stops the retries before the second retry, and without a
            // dead-letter queue the event is dropped.
            let impatient = try host.simulator.failures.failures(target: "impatient")
            #expect(impatient.map(\.attempt) == [1, 2])
            #expect(impatient.last?.next == .dropped)
        }
    }

    @Test("a throttled event waits 1 second, then twice as long each time, without spending an attempt")
    func throttledBackoff() async throws {
        let blocked = Function("Blocked", handler: TickHandler.self).named("blocked").reservedConcurrency(0)
        let architecture = Architecture("Throttled") {
            blocked
            Schedule("Hourly", .rate(.hours(1)), invoke: blocked)
        }
        try await withHost(architecture: architecture) { host in
            try await host.simulator.advanceClock(by: 3600 + 10)
            let failures = try host.simulator.failures.failures(target: "blocked")
            let fired = simulatorStart.addingTimeInterval(3600)
            #expect(failures.map { $0.at.timeIntervalSince(fired) } == [0, 1, 3, 7])
            #expect(failures.map(\.attempt) == [1, 1, 1, 1])
            #expect(failures.allSatisfy { $0.error.hasPrefix("Rate Exceeded") })
        }
    }

    @Test("moving the clock further than 10,000 fires is refused and leaves the clock where it was")
    func boundedJump() async throws {
        try await withHost(architecture: messagingArchitecture()) { host in
            let refused = try await host.post("/_formwork/clock", #"{"advance": "PT10001H"}"#)
            #expect(refused.status == 400)
            #expect((refused.json["message"] as? String)?.contains("more than 10000 scheduled invocations") == true)
            #expect(host.simulator.clock.now() == simulatorStart)
            #expect(try host.logged("ticker").isEmpty)
        }
    }

    @Test("two clock moves made at once follow each other")
    func concurrentMoves() async throws {
        try await withHost(architecture: messagingArchitecture()) { host in
            async let first: Void = host.simulator.advanceClock(by: 3600)
            async let second: Void = host.simulator.advanceClock(by: 3600)
            _ = try await (first, second)
            #expect(host.simulator.clock.now() == simulatorStart.addingTimeInterval(7200))
            #expect(try host.logged("ticker").filter { $0.contains("rule/Hourly") }.count == 2)
        }
    }

    @Test("a function that publishes to the topic it receives from is stopped after 16 invocations, as Lambda stops a loop")
    func recursiveLoop() async throws {
        try await withHost(architecture: loopArchitecture()) { host in
            _ = try await host.query([("Action", "Publish"), ("TopicArn", host.topicArn("loop")), ("Message", "again")])
            await host.simulator.runDue()
            #expect(try host.logged("echo").count == 16)
            let stopped = try host.simulator.failures.failures(target: "echo")
            #expect(stopped.map(\.error) == ["Lambda stopped a recursive loop: 16 invocations led to this one."])
            #expect(stopped.first?.next == .dropped)
        }
    }

    @Test("SNS fans a publish out to the subscriptions whose filter policies pass")
    func fanOut() async throws {
        try await withHost(architecture: messagingArchitecture()) { host in
            let published = try await host.query([
                ("Action", "Publish"), ("TopicArn", host.topicArn()), ("Message", "disk full"), ("Subject", "Alert"),
                ("MessageAttributes.entry.1.Name", "kind"), ("MessageAttributes.entry.1.Value.DataType", "String"),
                ("MessageAttributes.entry.1.Value.StringValue", "alert"),
                ("MessageAttributes.entry.2.Name", "level"), ("MessageAttributes.entry.2.Value.DataType", "Number"),
                ("MessageAttributes.entry.2.Value.StringValue", "5"),
            ])
            #expect(published.status == 200)
            #expect(published.body.contains("<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>"))
            await host.simulator.runDue()

            let deliveries = try host.simulator.outbox.messages().filter { $0.kind != "publish" }
            #expect(
                Set(deliveries.flatMap(\.to)) == [
                    "all@example.com", "alerts@example.com", "+14155550100", "json@example.com", "https://hooks.example.com/notify",
                ])
            #expect(try host.mail(to: "all@example.com").first?.body == "disk full")
            let json = try host.mail(to: "json@example.com").first.flatMap {
                try JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any]
            }
            #expect(json?["Type"] as? String == "Notification")
            #expect(json?["Message"] as? String == "disk full")
            #expect(json?["TopicArn"] as? String == host.topicArn())
            #expect((json?["MessageAttributes"] as? [String: Any])?["level"] as? [String: String] == ["Type": "Number", "Value": "5"])
            #expect(try host.logged("receiver") == ["received disk full subject Alert [kind=alert,level=5]"])

            _ = try await host.query([
                ("Action", "Publish"), ("TopicArn", host.topicArn()), ("Message", "chatter"),
                ("MessageAttributes.entry.1.Name", "kind"), ("MessageAttributes.entry.1.Value.DataType", "String"),
                ("MessageAttributes.entry.1.Value.StringValue", "noise"),
            ])
            await host.simulator.runDue()
            let second = try host.simulator.outbox.messages().filter { $0.body.contains("chatter") && $0.kind != "publish" }
            #expect(Set(second.flatMap(\.to)) == ["all@example.com", "json@example.com", "https://hooks.example.com/notify"])
            #expect(try host.logged("receiver").count == 1)
        }
    }

    @Test("MessageStructure=json sends each protocol its own message, and needs a default")
    func messageStructure() async throws {
        try await withHost(architecture: messagingArchitecture()) { host in
            let message = #"{"default": "plain", "email": "for mail", "sms": "short", "lambda": "for functions"}"#
            let sent = try await host.query([
                ("Action", "Publish"), ("TopicArn", host.topicArn()), ("Message", message), ("MessageStructure", "json"),
                ("MessageAttributes.entry.1.Name", "kind"), ("MessageAttributes.entry.1.Value.DataType", "String"),
                ("MessageAttributes.entry.1.Value.StringValue", "info"),
            ])
            #expect(sent.status == 200)
            await host.simulator.runDue()
            #expect(try host.mail(to: "all@example.com").map(\.body) == ["for mail"])
            #expect(try host.mail(to: "+14155550100").isEmpty)
            let json = try host.mail(to: "json@example.com").first.flatMap {
                try JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any]
            }
            #expect(json?["Message"] as? String == "plain")
            // `anythingBut` passes only a message that has the attribute, as in SNS.
            #expect(try host.logged("receiver") == ["received for functions subject - [kind=info]"])
            let noDefault = try await host.query([
                ("Action", "Publish"), ("TopicArn", host.topicArn()), ("Message", #"{"email": "x"}"#), ("MessageStructure", "json"),
            ])
            #expect(noDefault.status == 400)
            #expect(noDefault.body.contains("No default entry in JSON message body"))
        }
    }

    @Test("SNS answers errors as AWS does: an unknown topic, an empty message, an unknown action")
    func snsErrors() async throws {
        try await withHost(architecture: messagingArchitecture()) { host in
            let unknown = try await host.query([("Action", "Publish"), ("TopicArn", host.topicArn("nope")), ("Message", "x")])
            #expect(unknown.status == 404)
            #expect(unknown.body.contains("<Code>NotFound</Code><Message>Topic does not exist</Message>"))
            let empty = try await host.query([("Action", "Publish"), ("TopicArn", host.topicArn()), ("Message", "")])
            #expect(empty.status == 400)
            #expect(empty.body.contains("<Code>InvalidParameter</Code>"))
            let odd = try await host.query([("Action", "DeleteTopic"), ("TopicArn", host.topicArn())])
            #expect(odd.status == 400)
            #expect(odd.body.contains("<Code>InvalidAction</Code>"))
            let listed = try await host.query([("Action", "ListSubscriptionsByTopic"), ("TopicArn", host.topicArn())])
            #expect(listed.body.components(separatedBy: "<member>").count - 1 == 6)
            #expect(listed.body.contains("<Protocol>email-json</Protocol>"))
            #expect(listed.body.contains("<Protocol>lambda</Protocol><SubscriptionArn>arn:aws:sns:us-east-1:000000000000:events:"))
            #expect(try host.simulator.outbox.messages().isEmpty)
        }
    }

    @Test("SES sends only from identities the model declares, over the v1 query and v2 JSON protocols")
    func sesIdentities() async throws {
        try await withHost(architecture: messagingArchitecture()) { host in
            let refused = try await host.query(
                [
                    ("Action", "SendEmail"), ("Source", "someone@elsewhere.org"), ("Destination.ToAddresses.member.1", "ann@example.org"),
                    ("Message.Subject.Data", "Hi"), ("Message.Body.Text.Data", "Hello"),
                ], service: "ses")
            #expect(refused.status == 400)
            #expect(
                refused.body.contains(
                    "<Code>MessageRejected</Code><Message>Email address is not verified. The following identities failed the check in region US-EAST-1: someone@elsewhere.org</Message>"
                ))
            let sent = try await host.query(
                [
                    ("Action", "SendEmail"), ("Source", "Team <news@example.com>"), ("Destination.ToAddresses.member.1", "ann@example.org"),
                    ("Destination.CcAddresses.member.1", "bo@example.org"), ("Message.Subject.Data", "Hi"), ("Message.Body.Text.Data", "Hello"),
                ], service: "ses")
            #expect(sent.status == 200)
            #expect(sent.body.contains("<SendEmailResponse xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\"><SendEmailResult><MessageId>"))
            let mail = try host.mail(to: "ann@example.org")
            #expect(mail.map(\.to) == [["ann@example.org", "bo@example.org"]])
            #expect(mail.first?.subject == "Hi")
            #expect(mail.first?.body == "Hello")

            func v2(_ from: String) async throws -> (status: Int, type: String?, json: [String: Any]) {
                let body =
                    #"{"FromEmailAddress": "\#(from)", "Destination": {"ToAddresses": ["cy@example.org"]}, "Content": {"Simple": {"Subject": {"Data": "S"}, "Body": {"Text": {"Data": "T"}}}}}"#
                return try await host.client.execute(
                    uri: "/v2/email/outbound-emails", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)
                ) { response in
                    (
                        Int(response.status.code), response.headers[HTTPField.Name("x-amzn-ErrorType")!],
                        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
                    )
                }
            }
            let fromSubdomain = try await v2("alerts@mail.example.com")
            #expect(fromSubdomain.status == 200)
            #expect(fromSubdomain.json["MessageId"] is String)
            let rejected = try await v2("x@example.co")
            #expect(rejected.status == 400)
            #expect(rejected.type == "MessageRejected")
            #expect(try host.mail(to: "cy@example.org").count == 1)
        }
    }

    @Test("the outbox filters by recipient and time, and empties on DELETE")
    func outboxQueries() async throws {
        try await withHost(architecture: messagingArchitecture()) { host in
            _ = try await host.query([("Action", "Publish"), ("TopicArn", host.topicArn()), ("Message", "first")])
            try await host.simulator.advanceClock(by: 60)
            _ = try await host.query([("Action", "Publish"), ("TopicArn", host.topicArn()), ("Message", "second")])
            let since = try await host.get("/_formwork/outbox?to=all@example.com&since=\(text(simulatorStart.addingTimeInterval(30)))")
            #expect((since.json["messages"] as? [[String: Any]])?.map { $0["body"] as? String } == ["second"])
            let bad = try await host.get("/_formwork/outbox?since=yesterday")
            #expect(bad.status == 400)
            let deleted = try await host.client.execute(uri: "/_formwork/outbox", method: .delete) { String(buffer: $0.body) }
            #expect(deleted.contains(#""deleted":"#))
            #expect(try host.simulator.outbox.messages().isEmpty)
        }
    }

    @Test("a function runs directly with the event its schedule or its topic would send")
    func directInvocation() async throws {
        try await withHost(architecture: messagingArchitecture()) { host in
            let scheduled = try await host.post("/_formwork/functions/Ticker/invoke?event=scheduled", "")
            #expect(scheduled.json["status"] as? String == "succeeded")
            let lines = (scheduled.json["log"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
            #expect(lines.first?.hasPrefix("START RequestId: ") == true)
            #expect(lines.contains { $0.hasPrefix("INFO fired 2026-12-01T09:00:00Z") })
            let sns = try await host.post("/_formwork/functions/receiver/invoke?event=sns", "hello there")
            #expect(sns.json["status"] as? String == "succeeded")
            #expect((sns.json["log"] as? [[String: Any]] ?? []).contains { ($0["message"] as? String)?.contains("received hello there") == true })
            let failed = try await host.post("/_formwork/functions/flaky/invoke?event=scheduled", "")
            #expect(failed.json["status"] as? String == "failed")
            #expect(failed.json["error"] as? String == "the job failed on purpose")
            let shapeless = try await host.post("/_formwork/functions/flaky/invoke", #"{"hello": 1}"#)
            #expect(shapeless.status == 400)
            let missing = try await host.post("/_formwork/functions/nope/invoke", "{}")
            #expect(missing.status == 404)
        }
    }

    @Test("an HTTPS subscription is confirmed by visiting its SubscribeURL, then gets each notification; 5xx answers are retried, 4xx are final")
    func webhookDelivery() async throws {
        let receiver = WebhookReceiver()
        try await receiver.serve { port in
            let hook = "https://hooks.example.com/notify"
            let simulator = try Simulator(
                architecture: messagingArchitecture(), environment: .dev,
                options: .init(clock: .virtual(start: simulatorStart), root: packageRoot, webhookRoutes: [hook: "http://127.0.0.1:\(port)/hook"]))
            try await withThrowingTaskGroup(of: Void.self) { group in
                let listening = AsyncStream<Int>.makeStream()
                group.addTask {
                    try await simulator.run(host: "127.0.0.1", port: 0) { port in listening.continuation.yield(port) }
                }
                var ports = listening.stream.makeAsyncIterator()
                let simulatorPort = await ports.next() ?? 0
                let topicArn = "arn:aws:sns:us-east-1:000000000000:events"
                func publish(_ message: String) async throws {
                    _ = try await receiver.postForm(
                        "http://127.0.0.1:\(simulatorPort)/", [("Action", "Publish"), ("TopicArn", topicArn), ("Message", message)])
                }
                func failures() throws -> [DeliveryFailures.Failure] { try simulator.failures.failures(target: hook).filter { $0.attempt > 0 } }

                // The subscriber visits the SubscribeURL exactly as given, as a real one does.
                let confirmation = try await receiver.waitFor(count: 1)[0]
                #expect(confirmation.type == "SubscriptionConfirmation")
                #expect(confirmation.confirmedStatus == 200)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(confirmation.body.utf8)) as? [String: Any])
                #expect((json["SubscribeURL"] as? String)?.hasPrefix("http://127.0.0.1:\(simulatorPort)/_aws/sns/confirm?") == true)

                try await publish("hello hook")
                let notification = try await receiver.waitFor(count: 2)[1]
                #expect(notification.type == "Notification")
                #expect(notification.subscriptionArn?.hasPrefix(topicArn + ":") == true)
                let body = try #require(try JSONSerialization.jsonObject(with: Data(notification.body.utf8)) as? [String: Any])
                #expect(body["Message"] as? String == "hello hook")

                // Two 500s: retried 20 seconds apart, on the clock; then delivered.
                receiver.failNext(2, status: 500)
                try await publish("retry me")
                try await waitUntil { try failures().count == 1 }
                try await simulator.advanceClock(by: 20)
                try await waitUntil { try failures().count == 2 }
                try await simulator.advanceClock(by: 20)
                let all = try await receiver.waitFor(count: 5)
                #expect(all.suffix(3).map(\.status) == [500, 500, 200])
                #expect(try failures().map(\.next) == [.retry(at: simulatorStart.addingTimeInterval(20)), .retry(at: simulatorStart.addingTimeInterval(40))])

                // A 404 is final.
                receiver.failNext(1, status: 404)
                try await publish("gone")
                try await waitUntil { try failures().count == 3 }
                #expect(try failures().last?.next == .dropped)
                try await simulator.advanceClock(by: 60)
                #expect(receiver.received.count == 6)
                group.cancelAll()
            }
        }
    }
}

/// Waits (up to ten seconds of real time) for a condition that background work makes true.
func waitUntil(_ condition: () throws -> Bool) async throws {
    for _ in 0..<200 {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("the condition never held")
}

/// A small HTTP server standing in for a subscriber's endpoint: it records every POST and can
/// be told to fail the next ones.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var type: String?
        var subscriptionArn: String?
        var body: String
        var status: Int
        /// For a confirmation: the status of visiting its SubscribeURL.
        var confirmedStatus: Int?
    }

    private let state = NIOLockedValueBox<(received: [Received], failures: Int, status: Int)>(([], 0, 500))

    var received: [Received] { state.withLockedValue { $0.received } }

    func failNext(_ count: Int, status: Int = 500) {
        state.withLockedValue {
            $0.failures = count
            $0.status = status
        }
    }

    /// POSTs a form (an AWS query-protocol request) and returns the status.
    func postForm(_ url: String, _ fields: [(String, String)]) async throws -> Int {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(
            fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&").utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// Waits (up to ten seconds of real time) until `count` requests arrived.
    func waitFor(count: Int) async throws -> [Received] {
        for _ in 0..<200 {
            let received = state.withLockedValue { $0.received }
            if received.count >= count { return received }
            try await Task.sleep(for: .milliseconds(50))
        }
        let received = state.withLockedValue { $0.received }
        Issue.record("expected \(count) requests at the endpoint, got \(received.count)")
        return received + Array(repeating: Received(body: "", status: 0), count: count - received.count)
    }

    /// Serves on a free port while `body` runs.
    func serve(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.post("/hook") { [self] request, _ -> Response in
            let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let type = request.headers[HTTPField.Name("x-amz-sns-message-type")!]
            var confirmed: Int?
            if type == "SubscriptionConfirmation",
                let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                let link = (object["SubscribeURL"] as? String).flatMap(URL.init(string:))
            {
                let (_, response) = try await URLSession.shared.data(from: link)
                confirmed = (response as? HTTPURLResponse)?.statusCode
            }
            let status = state.withLockedValue { state -> Int in
                let failing = state.failures > 0
                if failing { state.failures -= 1 }
                let status = failing ? state.status : 200
                state.received.append(
                    Received(
                        type: type, subscriptionArn: request.headers[HTTPField.Name("x-amz-sns-subscription-arn")!], body: text, status: status,
                        confirmedStatus: confirmed))
                return status
            }
            return Response(status: .init(code: status))
        }
        try await withLocalServer(router, body)
    }
}

@Suite("Outbox relay to SMTP")
struct SMTPRelayTests {
    @Test("e-mail kept in the outbox is relayed to an SMTP server with its headers, recipients and dot-stuffed body")
    func relaysMail() async throws {
        let server = FakeSMTPServer()
        try await server.serve { port in
            let simulator = try Simulator(
                architecture: messagingArchitecture(), environment: .dev,
                options: .init(clock: .virtual(start: simulatorStart), root: packageRoot, smtpRelay: SMTPRelay("127.0.0.1:\(port)")))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do { try await simulator.run(host: "127.0.0.1", port: 0) } catch is CancellationError {} catch {
                        Issue.record("the simulator stopped: \(error)")
                    }
                }
                try simulator.outbox.record(
                    Outbox.Message(
                        id: "m-1", service: "ses", kind: "email", from: "Team <news@example.com>", to: ["ann@example.org", "bo@example.org"],
                        subject: "Grüße", body: "Hello\n.hidden line\nBye", createdAt: simulatorStart))
                try simulator.outbox.record(
                    Outbox.Message(id: "s-1", service: "sns", kind: "sms", to: ["+14155550100"], body: "not mail", createdAt: simulatorStart))
                try simulator.outbox.record(
                    Outbox.Message(
                        id: "m-2", service: "cognito-idp", kind: "email", to: ["cy@example.org"], subject: "Code", body: "123456", createdAt: simulatorStart))
                // Only e-mail is relayed: the SMS between the two never reaches the server.
                let sessions = try await server.waitFor(count: 2)
                #expect(sessions.count == 2)
                #expect(sessions.last?.commands.contains("MAIL FROM:<no-reply@verificationemail.com>") == true)
                group.cancelAll()
                let session = try #require(sessions.first)
                #expect(
                    session.commands == [
                        "EHLO formwork.local", "MAIL FROM:<news@example.com>", "RCPT TO:<ann@example.org>", "RCPT TO:<bo@example.org>", "DATA", "QUIT",
                    ])
                #expect(session.data.contains("From: Team <news@example.com>\r\nTo: ann@example.org, bo@example.org\r\nSubject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"))
                #expect(session.data.contains("Date: Tue, 01 Dec 2026 09:00:00 +0000\r\nMessage-ID: <m-1@formwork.local>"))
                #expect(session.data.hasSuffix("\r\n\r\nHello\r\n..hidden line\r\nBye\r\n.\r\n"))
                #expect(try simulator.failures.failures().isEmpty)
            }
        }
    }

    @Test("HOST:PORT is parsed, and anything else refused")
    func parsing() {
        #expect(SMTPRelay("localhost:1025").map { "\($0.host) \($0.port)" } == "localhost 1025")
        #expect(SMTPRelay("localhost") == nil)
        #expect(SMTPRelay(":25") == nil)
        #expect(SMTPRelay("mail:99999") == nil)
    }
}

/// A minimal SMTP server that accepts everything and records each session.
final class FakeSMTPServer: Sendable {
    struct Session: Sendable {
        var commands: [String] = []
        var data = ""
    }

    private let recorded = NIOLockedValueBox<[Session]>([])
    var sessions: [Session] { recorded.withLockedValue { $0 } }

    func waitFor(count: Int) async throws -> [Session] {
        for _ in 0..<200 {
            if sessions.count >= count { return sessions }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("expected \(count) SMTP sessions, got \(sessions.count)")
        return sessions
    }

    func serve(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let port = server.channel.localAddress?.port ?? 0
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        try? await self.handle(connection)
                    }
                }
            }
            try await body(port)
            group.cancelAll()
        }
    }

    private func handle(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var session = Session()
            var pending = ""
            var inData = false
            try await outbound.write(ByteBuffer(string: "220 fake ESMTP\r\n"))
            for try await var buffer in inbound {
                pending += buffer.readString(length: buffer.readableBytes) ?? ""
                while true {
                    if inData {
                        guard let end = pending.range(of: "\r\n.\r\n") else { break }
                        session.data = String(pending[..<end.upperBound])
                        pending.removeSubrange(..<end.upperBound)
                        inData = false
                        try await outbound.write(ByteBuffer(string: "250 2.0.0 queued\r\n"))
                        continue
                    }
                    guard let end = pending.range(of: "\r\n") else { break }
                    let line = String(pending[..<end.lowerBound])
                    pending.removeSubrange(..<end.upperBound)
                    session.commands.append(line)
                    switch line.prefix(4).uppercased() {
                    case "EHLO": try await outbound.write(ByteBuffer(string: "250-fake\r\n250 8BITMIME\r\n"))
                    case "DATA":
                        inData = true
                        try await outbound.write(ByteBuffer(string: "354 end with .\r\n"))
                    case "QUIT":
                        let finished = session
                        recorded.withLockedValue { $0.append(finished) }
                        try await outbound.write(ByteBuffer(string: "221 bye\r\n"))
                        return
                    default: try await outbound.write(ByteBuffer(string: "250 OK\r\n"))
                    }
                }
            }
        }
    }
}

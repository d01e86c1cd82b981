import Formwork
import FormworkRuntime
import Foundation
import GRDB
import NIOConcurrencyHelpers

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// SNS's HTTP/S deliveries. A subscription whose endpoint the simulator may reach (a
/// loopback address, or one `routes` maps to a local URL) first gets a
/// `SubscriptionConfirmation`; once its `SubscribeURL` is visited, each notification is
/// POSTed to it in the background, and a failed POST is retried as SNS's default delivery
/// policy does (three more times, 20 seconds apart). Other endpoints are outside: their
/// notifications go to the outbox.
final class Webhooks: Sendable {
    enum Kind: String, Sendable {
        case confirmation = "SubscriptionConfirmation"
        case notification = "Notification"
    }

    struct Delivery: Sendable {
        var subscriptionArn: String
        var topicArn: String
        var messageId: String
        /// The endpoint as the model declares it.
        var endpoint: String
        /// Where it is POSTed.
        var url: URL
        var kind: Kind
        var body: String
        var attempt: Int
    }

    /// SNS's default HTTP/S delivery policy: retries after the first attempt, and the delay.
    static let retries = 3
    static let retryDelay: TimeInterval = 20

    let writer: any DatabaseWriter
    let outbox: Outbox
    let failures: DeliveryFailures
    let clock: SimulatorClock
    let endpoint: @Sendable () -> String
    let routes: [String: String]
    private let queue = DueQueue<Delivery>()
    private let wake: @Sendable () -> Void
    private let session: URLSession

    init(
        database: StateDatabase, outbox: Outbox, failures: DeliveryFailures, clock: SimulatorClock, routes: [String: String],
        endpoint: @escaping @Sendable () -> String, wake: @escaping @Sendable () -> Void
    ) {
        writer = database.writer
        self.outbox = outbox
        self.failures = failures
        self.clock = clock
        self.routes = routes
        self.endpoint = endpoint
        self.wake = wake
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 15
        session = URLSession(configuration: configuration)
    }

    static let migrations: [StateDatabase.Migration] = [
        .init("messaging v1: HTTP subscriptions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE snsSubscriptions (
                        arn TEXT PRIMARY KEY,
                        token TEXT NOT NULL,
                        confirmed INTEGER NOT NULL DEFAULT 0
                    );
                    """)
        }
    ]

    /// Where the simulator POSTs for `url`, or nil when the endpoint is outside.
    func target(of url: String) -> URL? {
        if let local = routes[url] { return URL(string: local) }
        guard let parsed = URL(string: url), let host = parsed.host else { return nil }
        return ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) ? parsed : nil
    }

    /// Sends a confirmation request to every reachable subscription not yet confirmed.
    func requestConfirmations(_ subscriptions: [(arn: String, topicArn: String, url: String)]) {
        for subscription in subscriptions {
            guard let target = target(of: subscription.url) else { continue }
            let token: String? = try? writer.write { db in
                let row = try Row.fetchOne(db, sql: "SELECT token, confirmed FROM snsSubscriptions WHERE arn = ?", arguments: [subscription.arn])
                if let row {
                    return (row["confirmed"] as Int) == 1 ? nil : (row["token"] as String)
                }
                let token = (0..<4).map { _ in UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }.joined()
                try db.execute(sql: "INSERT INTO snsSubscriptions (arn, token) VALUES (?, ?)", arguments: [subscription.arn, token])
                return token
            }
            guard let token else { continue }
            let messageId = UUID().uuidString.lowercased()
            let subscribeURL =
                "\(endpoint())/_aws/sns/confirm?Action=ConfirmSubscription&TopicArn=\(Self.escape(subscription.topicArn))&Token=\(token)"
            let body = JSONBody.data([
                "Type": Kind.confirmation.rawValue, "MessageId": messageId, "Token": token, "TopicArn": subscription.topicArn,
                "Message":
                    "You have chosen to subscribe to the topic \(subscription.topicArn).\nTo confirm the subscription, visit the SubscribeURL included in this message.",
                "SubscribeURL": subscribeURL, "Timestamp": JSONCoding.formatDate(clock.now()), "SignatureVersion": "1",
                "Signature": SNSEnvelope.signature, "SigningCertURL": SNSEnvelope.certificateURL(endpoint()),
            ])
            add(
                Delivery(
                    subscriptionArn: subscription.arn, topicArn: subscription.topicArn, messageId: messageId, endpoint: subscription.url, url: target,
                    kind: .confirmation, body: String(decoding: body, as: UTF8.self), attempt: 1))
        }
    }

    /// Confirms the subscription whose token this is; false when no subscription has it.
    func confirm(topicArn: String, token: String) -> String? {
        try? writer.write { db in
            guard
                let arn = try String.fetchOne(db, sql: "SELECT arn FROM snsSubscriptions WHERE token = ?", arguments: [token]),
                arn.hasPrefix(topicArn + ":")
            else { return nil }
            try db.execute(sql: "UPDATE snsSubscriptions SET confirmed = 1 WHERE arn = ?", arguments: [arn])
            return arn
        }
    }

    /// Whether the subscription was confirmed.
    func isConfirmed(_ arn: String) -> Bool {
        (try? writer.read { db in try Int.fetchOne(db, sql: "SELECT confirmed FROM snsSubscriptions WHERE arn = ?", arguments: [arn]) }) == 1
    }

    /// The notification for an HTTP/S subscription: POSTed when reachable and confirmed, kept
    /// in the outbox when the endpoint is outside.
    func notify(subscriptionArn: String, topicArn: String, url: String, messageId: String, body: String, subject: String?) throws {
        guard let target = target(of: url) else {
            try outbox.record(
                Outbox.Message(
                    id: "\(messageId)-\(subscriptionArn.split(separator: ":").last ?? "")", service: "sns", kind: "http", from: topicArn, to: [url],
                    subject: subject, body: body, createdAt: clock.now()))
            return
        }
        guard isConfirmed(subscriptionArn) else {
            failures.record(
                DeliveryFailures.Failure(
                    eventId: messageId, target: url, source: topicArn, attempt: 0, error: "The subscription is pending confirmation.",
                    at: clock.now(), next: .dropped, event: body))
            return
        }
        add(
            Delivery(
                subscriptionArn: subscriptionArn, topicArn: topicArn, messageId: messageId, endpoint: url, url: target, kind: .notification, body: body,
                attempt: 1))
    }

    private func add(_ delivery: Delivery) {
        queue.add(delivery, dueAt: clock.now())
        wake()
    }

    var nextDue: Date? { queue.nextDue }

    /// POSTs every delivery due by `now`, earliest first.
    func runDue(at now: Date) async {
        while let (due, delivery) = queue.takeNext(dueBy: now) {
            let error = await post(delivery)
            guard let error else { continue }
            let retryAt = due.addingTimeInterval(Self.retryDelay)
            let retry = delivery.attempt <= Self.retries
            failures.record(
                DeliveryFailures.Failure(
                    eventId: delivery.messageId, target: delivery.endpoint, source: delivery.topicArn, attempt: delivery.attempt,
                    error: error, at: due, next: retry ? .retry(at: retryAt) : .dropped, event: delivery.body))
            if retry {
                var next = delivery
                next.attempt += 1
                queue.add(next, dueAt: retryAt)
            }
        }
    }

    /// POSTs one delivery; the error, or nil on a 2xx answer.
    private func post(_ delivery: Delivery) async -> String? {
        var request = URLRequest(url: delivery.url)
        request.httpMethod = "POST"
        request.httpBody = Data(delivery.body.utf8)
        request.setValue("text/plain; charset=UTF-8", forHTTPHeaderField: "Content-Type")
        request.setValue("Amazon Simple Notification Service Agent", forHTTPHeaderField: "User-Agent")
        request.setValue(delivery.kind.rawValue, forHTTPHeaderField: "x-amz-sns-message-type")
        request.setValue(delivery.messageId, forHTTPHeaderField: "x-amz-sns-message-id")
        request.setValue(delivery.topicArn, forHTTPHeaderField: "x-amz-sns-topic-arn")
        if delivery.kind == .notification {
            request.setValue(delivery.subscriptionArn, forHTTPHeaderField: "x-amz-sns-subscription-arn")
        }
        do {
            let (_, response) = try await session.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            return (200..<300).contains(status) ? nil : "The endpoint answered HTTP \(status)."
        } catch {
            return "The endpoint could not be reached: \(error.localizedDescription)"
        }
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}

/// The parts of SNS's message envelope the simulator cannot produce as AWS does: messages
/// are not signed with an AWS certificate, so the signature is a fixed placeholder.
enum SNSEnvelope {
    static let signature = "Rm9ybXdvcmsgbG9jYWwgU05TIG1lc3NhZ2VzIGFyZSBub3Qgc2lnbmVk"

    static func certificateURL(_ endpoint: String) -> String { "\(endpoint)/_aws/sns/SimpleNotificationService-local.pem" }

    static func unsubscribeURL(_ endpoint: String, subscriptionArn: String) -> String {
        "\(endpoint)/_aws/sns/unsubscribe?Action=Unsubscribe&SubscriptionArn=\(Webhooks.escape(subscriptionArn))"
    }
}

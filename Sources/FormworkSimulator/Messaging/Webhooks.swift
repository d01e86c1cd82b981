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
/// `SubscriptionConfirmation` once the simulator listens; once its `SubscribeURL` is visited,
/// each notification is POSTed to it in the background (never holding up other due work), and
/// a server-side failure (a 5xx, a timeout, no connection) is retried as SNS's default
/// delivery policy does: three more times, 20 seconds apart. A 4xx answer is final. Other
/// endpoints are outside: their notifications go to the outbox.
final class Webhooks: Sendable {
    enum Kind: String, Sendable {
        case confirmation = "SubscriptionConfirmation"
        case notification = "Notification"
    }

    struct Delivery: Sendable {
        /// The confirmation's token; its body is written when it is sent, with the address the
        /// simulator then listens on.
        var token: String?
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
    /// Whether the simulator listens, so that a subscriber can visit the `SubscribeURL`.
    private let open = NIOLockedValueBox(false)

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

    deinit {
        session.invalidateAndCancel()
    }

    /// Starts delivering, once the simulator listens.
    func start() {
        open.withLockedValue { $0 = true }
        if queue.count > 0 { wake() }
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
            add(
                Delivery(
                    token: token, subscriptionArn: subscription.arn, topicArn: subscription.topicArn, messageId: UUID().uuidString.lowercased(),
                    endpoint: subscription.url, url: target, kind: .confirmation, body: "", attempt: 1))
        }
    }

    /// The confirmation request, with the `SubscribeURL` where the simulator listens now.
    private func confirmationBody(_ delivery: Delivery, token: String) -> String {
        let subscribeURL = "\(endpoint())/_aws/sns/confirm?Action=ConfirmSubscription&TopicArn=\(Self.escape(delivery.topicArn))&Token=\(token)"
        let body = JSONBody.data([
            "Type": Kind.confirmation.rawValue, "MessageId": delivery.messageId, "Token": token, "TopicArn": delivery.topicArn,
            "Message":
                "You have chosen to subscribe to the topic \(delivery.topicArn).\nTo confirm the subscription, visit the SubscribeURL included in this message.",
            "SubscribeURL": subscribeURL, "Timestamp": JSONCoding.formatDate(clock.now()), "SignatureVersion": "1",
            "Signature": SNSEnvelope.signature, "SigningCertURL": SNSEnvelope.certificateURL(endpoint()),
        ])
        return String(decoding: body, as: UTF8.self)
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

    /// Queues the notification for a reachable, confirmed HTTP/S subscription; false when the
    /// endpoint is outside (the caller keeps it in the outbox). A pending subscription gets
    /// nothing, as in SNS; the attempt shows among the failures.
    func notify(subscriptionArn: String, topicArn: String, url: String, messageId: String, body: String) -> Bool {
        guard let target = target(of: url) else { return false }
        guard isConfirmed(subscriptionArn) else {
            failures.record(
                DeliveryFailures.Failure(
                    eventId: messageId, target: url, source: topicArn, attempt: 0, error: "The subscription is pending confirmation.",
                    at: clock.now(), next: .dropped, event: body))
            return true
        }
        add(
            Delivery(
                token: nil, subscriptionArn: subscriptionArn, topicArn: topicArn, messageId: messageId, endpoint: url, url: target,
                kind: .notification, body: body, attempt: 1))
        return true
    }

    private func add(_ delivery: Delivery, dueAt date: Date? = nil) {
        queue.add(delivery, dueAt: date ?? clock.now())
        wake()
    }

    var nextDue: Date? { open.withLockedValue { $0 } ? queue.nextDue : nil }

    /// Starts a POST of every delivery due by `now`, earliest first, each in its own task, so
    /// that a slow endpoint holds up nothing else.
    func runDue(at now: Date) async {
        guard open.withLockedValue({ $0 }) else { return }
        while let (due, delivery) = queue.takeNext(dueBy: now) {
            Task { await self.attempt(delivery, due: due) }
        }
    }

    private func attempt(_ delivery: Delivery, due: Date) async {
        var delivery = delivery
        if let token = delivery.token { delivery.body = confirmationBody(delivery, token: token) }
        guard let failure = await post(delivery) else { return }
        let retryAt = due.addingTimeInterval(Self.retryDelay)
        let retry = failure.serverSide && delivery.attempt <= Self.retries
        failures.record(
            DeliveryFailures.Failure(
                eventId: delivery.messageId, target: delivery.endpoint, source: delivery.topicArn, attempt: delivery.attempt,
                error: failure.message, at: due, next: retry ? .retry(at: retryAt) : .dropped, event: delivery.body))
        if retry {
            delivery.attempt += 1
            add(delivery, dueAt: retryAt)
        }
    }

    /// Why a POST failed, and whether SNS would retry it.
    struct PostFailure {
        var message: String
        var serverSide: Bool
    }

    /// POSTs one delivery; the failure, or nil on a 2xx answer.
    private func post(_ delivery: Delivery) async -> PostFailure? {
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
            if (200..<300).contains(status) { return nil }
            return PostFailure(message: "The endpoint answered HTTP \(status).", serverSide: !(400..<500).contains(status))
        } catch {
            return PostFailure(message: "The endpoint could not be reached: \(error.localizedDescription)", serverSide: true)
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

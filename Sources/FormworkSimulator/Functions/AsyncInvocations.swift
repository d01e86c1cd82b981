import Formwork
import FormworkRuntime
import Foundation
import GRDB
import NIOConcurrencyHelpers

/// Lambda's queue of asynchronous invocations: what schedules and topics hand a function. An
/// event is tried when due; a failed attempt is retried after one minute and then two more,
/// as often as the function's ``AsyncRetries`` allow and while the event is younger than its
/// maximum age; an event that runs out goes to the function's dead-letter queue (or is
/// dropped when it has none). Every failed attempt is kept in ``DeliveryFailures``.
public final class AsyncInvocations: SimulatedService {
    /// What an event carries.
    public enum Payload: Sendable {
        case scheduled(ScheduledEvent)
        case sns(SNSEvent)

        /// The event as JSON, as Lambda would pass it.
        var json: String {
            let data: Data? =
                switch self {
                case .scheduled(let event): try? JSONCoding.encode(event)
                case .sns(let event): try? JSONCoding.encode(event)
                }
            return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
    }

    struct Pending: Sendable {
        var id: String
        var function: Function
        var payload: Payload
        /// What sent it: a schedule or a topic ARN.
        var source: String
        var queuedAt: Date
        var attempt: Int
        /// How many asynchronous invocations led to this one (a function publishing to a
        /// topic that invokes a function...).
        var depth: Int
        /// How often it was throttled: the wait before the next try doubles each time.
        var throttles = 0
    }

    /// Lambda stops a chain of functions invoking each other through SNS after this many.
    static let recursionLimit = 16

    /// The depth of the invocation running in this task: what it enqueues is one deeper.
    @TaskLocal static var currentDepth = 0

    private let hostBox = NIOLockedValueBox<FunctionHost?>(nil)
    let naming: LocalResources
    let failures: DeliveryFailures
    private let pending = DueQueue<Pending>()
    private let wake: @Sendable () -> Void

    init(naming: LocalResources, failures: DeliveryFailures, wake: @escaping @Sendable () -> Void) {
        self.naming = naming
        self.failures = failures
        self.wake = wake
    }

    /// Sets the host that runs the functions (built after the services it gives them).
    func attach(_ host: FunctionHost) { hostBox.withLockedValue { $0 = host } }

    /// Queues an event for `function`, due at `date`, and wakes the host to run it.
    func enqueue(_ function: Function, _ payload: Payload, source: String, at date: Date) {
        let id = UUID().uuidString.lowercased()
        let depth = Self.currentDepth + 1
        guard depth <= Self.recursionLimit else {
            failures.record(
                DeliveryFailures.Failure(
                    eventId: id, target: naming.functionName(function), source: source, attempt: 0,
                    error: "Lambda stopped a recursive loop: \(Self.recursionLimit) invocations led to this one.", at: date, next: .dropped,
                    event: payload.json))
            return
        }
        pending.add(
            Pending(id: id, function: function, payload: payload, source: source, queuedAt: date, attempt: 1, depth: depth), dueAt: date)
        wake()
    }

    /// When the next queued attempt is due.
    var nextDue: Date? { pending.nextDue }

    /// Runs every attempt due by `now`, earliest first, one at a time, including retries that
    /// fall due meanwhile.
    func runDue(at now: Date) async {
        while let (due, event) = pending.takeNext(dueBy: now) {
            await attempt(event, at: due)
        }
    }

    private func attempt(_ event: Pending, at due: Date) async {
        guard let host = hostBox.withLockedValue({ $0 }) else { return }
        // Lambda keeps an event's request id across its retries.
        let outcome: FunctionHost.Outcome<Void> = await Self.$currentDepth.withValue(event.depth) {
            switch event.payload {
            case .scheduled(let scheduled): await host.invoke(event.function, scheduled: scheduled, requestId: event.id)
            case .sns(let sns): await host.invoke(event.function, sns: sns, requestId: event.id)
            }
        }
        guard case .failure(let failure) = outcome.result else { return }
        let settings = event.function.asyncRetries
        // A throttled event waits 1 second, then twice as long each time, up to 5 minutes.
        let delay =
            failure == .throttled
            ? min(300, pow(2, Double(event.throttles)))
            : TimeInterval(AsyncRetries.delay(beforeRetry: event.attempt).seconds)
        let retryAt = due.addingTimeInterval(delay)
        let tooOld = retryAt.timeIntervalSince(event.queuedAt) > TimeInterval(settings.maxEventAge.seconds)
        let outcomeText: DeliveryFailures.Next
        let exhausted = failure == .throttled ? tooOld : event.attempt > settings.retries || tooOld
        if exhausted {
            outcomeText = event.function.deadLetterQueue ? .deadLettered(naming.deadLetterQueueArn(event.function)) : .dropped
        } else {
            outcomeText = .retry(at: retryAt)
            var retry = event
            // Lambda keeps a throttled event and retries it without spending an attempt.
            if failure == .throttled { retry.throttles += 1 } else { retry.attempt += 1 }
            pending.add(retry, dueAt: retryAt)
        }
        failures.record(
            DeliveryFailures.Failure(
                eventId: event.id, target: host.functionName(event.function), source: event.source, attempt: event.attempt,
                error: Self.describe(failure), at: due, next: outcomeText, event: event.payload.json))
    }

    static func describe(_ failure: FunctionHost.Failure) -> String {
        switch failure {
        case .throttled: "Rate Exceeded (the function's reserved concurrency is in use)"
        case .timedOut(let seconds): "Task timed out after \(seconds).00 seconds"
        case .unhandled(let message): message
        }
    }
}

/// Failed asynchronous deliveries (to functions and HTTP endpoints), kept in the state
/// database: each failed attempt, what happens next, and the dead letters — what each
/// function's dead-letter queue holds.
public struct DeliveryFailures: Sendable {
    /// What follows a failed attempt.
    public enum Next: Sendable, Equatable {
        case retry(at: Date)
        /// Sent to the dead-letter queue with this ARN.
        case deadLettered(String)
        case dropped
    }

    /// One failed attempt.
    public struct Failure: Sendable, Equatable {
        public var eventId: String
        /// The function or endpoint.
        public var target: String
        /// The schedule or topic the event came from.
        public var source: String
        public var attempt: Int
        public var error: String
        /// When the attempt ran, by the simulator's clock.
        public var at: Date
        public var next: Next
        /// The event as delivered.
        public var event: String
    }

    let writer: any DatabaseWriter

    /// The failures in the simulator's state database.
    public init(database: StateDatabase) {
        writer = database.writer
    }

    /// The named, append-only migrations.
    public static let migrations: [StateDatabase.Migration] = [
        .init("deliveries v1: failed attempts and dead letters") { db in
            try db.execute(
                sql: """
                    CREATE TABLE deliveryFailures (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        eventId TEXT NOT NULL,
                        target TEXT NOT NULL,
                        source TEXT NOT NULL,
                        attempt INTEGER NOT NULL,
                        error TEXT NOT NULL,
                        at REAL NOT NULL,
                        next TEXT NOT NULL,
                        retryAt REAL,
                        deadLetterQueue TEXT,
                        event TEXT NOT NULL
                    );
                    """)
        }
    ]

    func record(_ failure: Failure) {
        var retryAt: Double?
        var queue: String?
        let next: String
        switch failure.next {
        case .retry(let date):
            next = "retry"
            retryAt = date.timeIntervalSince1970
        case .deadLettered(let arn):
            next = "dead-letter"
            queue = arn
        case .dropped:
            next = "dropped"
        }
        _ = try? writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO deliveryFailures (eventId, target, source, attempt, error, at, next, retryAt, deadLetterQueue, event)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    failure.eventId, failure.target, failure.source, failure.attempt, failure.error, failure.at.timeIntervalSince1970, next,
                    retryAt, queue, failure.event,
                ])
        }
    }

    /// The failed attempts, oldest first; only those of `target` when given.
    public func failures(target: String? = nil) throws -> [Failure] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM deliveryFailures ORDER BY sequence").compactMap { row -> Failure? in
                let name: String = row["target"]
                if let target, target != name { return nil }
                let next: Next =
                    switch row["next"] as String {
                    case "retry": .retry(at: Date(timeIntervalSince1970: row["retryAt"] ?? 0))
                    case "dead-letter": .deadLettered(row["deadLetterQueue"] ?? "")
                    default: .dropped
                    }
                return Failure(
                    eventId: row["eventId"], target: name, source: row["source"], attempt: row["attempt"], error: row["error"],
                    at: Date(timeIntervalSince1970: row["at"]), next: next, event: row["event"])
            }
        }
    }
}

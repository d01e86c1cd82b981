import FormworkRuntime
import Foundation
import GRDB

/// What the simulated services "sent" to the outside world: e-mail (Cognito invitations and
/// codes, SES), SMS, and SNS deliveries to endpoints the simulator does not run. Stored in the
/// state database, newest last, so a test or a person can read exactly what went out.
public struct Outbox: Sendable {
    /// One captured message.
    public struct Message: Codable, Equatable, Sendable {
        /// The message id (the id the sending service returned).
        public var id: String
        /// The service that sent it: `cognito-idp`, `ses`, `sns`.
        public var service: String
        /// `email`, `sms`, `http` or `sns`.
        public var kind: String
        /// The sender (an address, a topic ARN), if any.
        public var from: String?
        /// The recipients (addresses, numbers, endpoints).
        public var to: [String]
        /// The subject, if any.
        public var subject: String?
        /// The body as sent.
        public var body: String
        /// SNS message attributes, when the message has them.
        public var attributes: [String: SNSMessageAttribute]
        /// When it was sent, by the simulator's clock.
        public var createdAt: Date

        /// A message.
        public init(
            id: String, service: String, kind: String, from: String? = nil, to: [String], subject: String? = nil, body: String,
            attributes: [String: SNSMessageAttribute] = [:], createdAt: Date
        ) {
            self.id = id
            self.service = service
            self.kind = kind
            self.from = from
            self.to = to
            self.subject = subject
            self.body = body
            self.attributes = attributes
            self.createdAt = createdAt
        }
    }

    let writer: any DatabaseWriter

    /// The outbox in the simulator's state database.
    public init(database: StateDatabase) {
        writer = database.writer
    }

    /// The outbox's named, append-only migrations.
    public static let migrations: [StateDatabase.Migration] = [
        .init("outbox v1: messages") { db in
            try db.execute(
                sql: """
                    CREATE TABLE outboxMessages (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        service TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        sender TEXT,
                        recipients TEXT NOT NULL,
                        subject TEXT,
                        body TEXT NOT NULL,
                        createdAt REAL NOT NULL
                    );
                    """)
        },
        .init("outbox v2: message attributes") { db in
            try db.execute(sql: "ALTER TABLE outboxMessages ADD COLUMN attributes TEXT")
        },
    ]

    /// Keeps a message.
    public func record(_ message: Message) throws {
        try record([message])
    }

    /// Keeps messages, all or none.
    public func record(_ messages: [Message]) throws {
        try writer.write { db in
            for message in messages { try Self.insert(db, message) }
        }
    }

    /// Keeps a message inside a caller's transaction, so it is kept only if the change that sent it is.
    static func insert(_ db: Database, _ message: Message) throws {
        let recipients = String(decoding: try JSONEncoder().encode(message.to), as: UTF8.self)
        let attributes = message.attributes.isEmpty ? nil : String(decoding: try JSONEncoder().encode(message.attributes), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO outboxMessages (id, service, kind, sender, recipients, subject, body, attributes, createdAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                message.id, message.service, message.kind, message.from, recipients, message.subject, message.body, attributes,
                message.createdAt.timeIntervalSince1970,
            ])
    }

    /// The database table that holds the messages (live feeds watch it).
    static let table = "outboxMessages"

    /// The messages kept after `sequence`, oldest first, with their sequence numbers: at most
    /// `limit`, and only of one `kind` when given. With no `sequence`, the latest `limit`.
    func numbered(after sequence: Int64?, kind: String? = nil, limit: Int = 100) throws -> [(sequence: Int64, message: Message)] {
        try writer.read { db in
            let filter = kind == nil ? "" : "AND kind = ?"
            let arguments: StatementArguments = kind.map { [sequence ?? 0, $0, limit] } ?? [sequence ?? 0, limit]
            let rows =
                sequence == nil
                ? try Row.fetchAll(
                    db, sql: "SELECT * FROM outboxMessages WHERE sequence > ? \(filter) ORDER BY sequence DESC LIMIT ?", arguments: arguments
                ).reversed()
                : try Row.fetchAll(db, sql: "SELECT * FROM outboxMessages WHERE sequence > ? \(filter) ORDER BY sequence LIMIT ?", arguments: arguments)
            return try rows.map { row in (row["sequence"], try Self.message(row)) }
        }
    }

    /// The highest sequence number kept so far.
    func lastSequence() throws -> Int64 {
        try writer.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM outboxMessages") ?? 0 }
    }

    /// Deletes every message; returns how many there were.
    @discardableResult
    public func clear() throws -> Int {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM outboxMessages")
            return db.changesCount
        }
    }

    /// The messages, oldest first; only those to `recipient`, and only those sent after
    /// `since`, when given.
    public func messages(to recipient: String? = nil, since: Date? = nil) throws -> [Message] {
        let rows = try writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM outboxMessages WHERE createdAt > ? ORDER BY sequence", arguments: [since?.timeIntervalSince1970 ?? -.infinity])
        }
        let all = try rows.map(Self.message)
        guard let recipient = recipient?.lowercased() else { return all }
        return all.filter { $0.to.contains { $0.lowercased() == recipient } }
    }

    private static func message(_ row: Row) throws -> Message {
        Message(
            id: row["id"], service: row["service"], kind: row["kind"], from: row["sender"],
            to: try JSONDecoder().decode([String].self, from: Data((row["recipients"] as String).utf8)),
            subject: row["subject"], body: row["body"],
            attributes: try (row["attributes"] as String?).map { try JSONDecoder().decode([String: SNSMessageAttribute].self, from: Data($0.utf8)) }
                ?? [:],
            createdAt: Date(timeIntervalSince1970: row["createdAt"]))
    }
}

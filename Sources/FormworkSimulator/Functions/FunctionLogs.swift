import FormworkRuntime
import Foundation
import GRDB
import NIOConcurrencyHelpers

/// The functions' log groups, kept in the state database: what each invocation wrote, with
/// Lambda's `START`, `END` and `REPORT` lines.
public struct FunctionLogs: Sendable {
    /// One log line.
    public struct Line: Sendable, Equatable {
        /// When it was written, by the simulator's clock.
        public var timestamp: Date
        /// The invocation's request id.
        public var requestId: String
        /// The text, as CloudWatch Logs would show it.
        public var message: String
    }

    let writer: any DatabaseWriter

    /// The logs in the simulator's state database.
    public init(database: StateDatabase) {
        writer = database.writer
    }

    /// The logs' named, append-only migrations.
    public static let migrations: [StateDatabase.Migration] = [
        .init("logs v1: function log lines") { db in
            try db.execute(
                sql: """
                    CREATE TABLE logLines (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        logGroup TEXT NOT NULL,
                        requestId TEXT NOT NULL,
                        timestamp REAL NOT NULL,
                        message TEXT NOT NULL
                    );
                    CREATE INDEX logLinesByGroup ON logLines (logGroup, sequence);
                    """)
        }
    ]

    /// Appends lines to `logGroup`, in one transaction.
    func append(_ logGroup: String, _ lines: [Line]) {
        _ = try? writer.write { db in
            for line in lines {
                try db.execute(
                    sql: "INSERT INTO logLines (logGroup, requestId, timestamp, message) VALUES (?, ?, ?, ?)",
                    arguments: [logGroup, line.requestId, line.timestamp.timeIntervalSince1970, line.message])
            }
        }
    }

    /// The database table that holds the lines (live feeds watch it).
    static let table = "logLines"

    /// The lines of `groups` after `sequence`, oldest first, with their sequence numbers and
    /// groups: at most `limit`. With no `sequence`, the latest `limit`.
    func numbered(after sequence: Int64?, groups: Set<String>, limit: Int) throws -> [(sequence: Int64, logGroup: String, line: Line)] {
        guard !groups.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: groups.count).joined(separator: ", ")
        var arguments: StatementArguments = [sequence ?? 0]
        arguments += StatementArguments(groups.sorted())
        arguments += [limit]
        let order = sequence == nil ? "DESC" : "ASC"
        let rows = try writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM logLines WHERE sequence > ? AND logGroup IN (\(marks)) ORDER BY sequence \(order) LIMIT ?", arguments: arguments)
        }
        return (sequence == nil ? rows.reversed() : rows).map { row in
            (
                row["sequence"], row["logGroup"],
                Line(timestamp: Date(timeIntervalSince1970: row["timestamp"]), requestId: row["requestId"], message: row["message"])
            )
        }
    }

    /// The lines of `logGroup`, oldest first (the last `limit`).
    public func lines(_ logGroup: String, limit: Int = 1000) throws -> [Line] {
        try writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM (SELECT * FROM logLines WHERE logGroup = ? ORDER BY sequence DESC LIMIT ?) ORDER BY sequence",
                arguments: [logGroup, limit]
            ).map { Line(timestamp: Date(timeIntervalSince1970: $0["timestamp"]), requestId: $0["requestId"], message: $0["message"]) }
        }
    }
}

/// One invocation's log lines, kept until the invocation ends and then written to the
/// function's log group at once.
final class InvocationLog: HandlerLogger, Sendable {
    let requestId: String
    let clock: SimulatorClock
    private let buffer = NIOLockedValueBox<[FunctionLogs.Line]>([])

    init(requestId: String, clock: SimulatorClock) {
        self.requestId = requestId
        self.clock = clock
    }

    /// Adds a line as Lambda writes its own (`START`, `END`, `REPORT`, timeouts).
    func write(_ message: String) {
        let line = FunctionLogs.Line(timestamp: clock.now(), requestId: requestId, message: message)
        buffer.withLockedValue { $0.append(line) }
    }

    func log(_ level: LogLevel, _ message: String) {
        write("\(level.rawValue.uppercased()) \(message)")
    }

    /// The lines so far.
    var lines: [FunctionLogs.Line] { buffer.withLockedValue { $0 } }
}

import FormworkRuntime
import Foundation
import GRDB

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

    /// Appends a line to `logGroup`.
    func append(_ logGroup: String, requestId: String, at timestamp: Date, _ message: String) {
        _ = try? writer.write { db in
            try db.execute(
                sql: "INSERT INTO logLines (logGroup, requestId, timestamp, message) VALUES (?, ?, ?, ?)",
                arguments: [logGroup, requestId, timestamp.timeIntervalSince1970, message])
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

/// A handler's logger in the simulator: lines go to the function's log group.
struct FunctionLogger: HandlerLogger {
    let logs: FunctionLogs
    let logGroup: String
    let requestId: String
    let clock: SimulatorClock

    func log(_ level: LogLevel, _ message: String) {
        logs.append(logGroup, requestId: requestId, at: clock.now(), "\(level.rawValue.uppercased()) \(message)")
    }
}

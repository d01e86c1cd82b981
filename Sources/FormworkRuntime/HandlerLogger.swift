import Foundation

/// How much a log line matters, from ``debug`` to ``error``.
public enum LogLevel: String, Codable, CaseIterable, Comparable, Sendable {
    /// Detail for finding a problem.
    case debug
    /// Normal operation.
    case info
    /// Something unexpected that the handler coped with.
    case warning
    /// A failure.
    case error

    private var rank: Int {
        switch self {
        case .debug: 0
        case .info: 1
        case .warning: 2
        case .error: 3
        }
    }

    /// Whether `lhs` matters less than `rhs`.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.rank < rhs.rank
    }
}

/// Where a handler writes its log lines; the host decides where they end up (CloudWatch
/// Logs in AWS, the console's log view in the simulator).
public protocol HandlerLogger: Sendable {
    /// Writes one line.
    func log(_ level: LogLevel, _ message: String)
}

extension HandlerLogger {
    /// Writes a ``LogLevel/debug`` line.
    public func debug(_ message: String) { log(.debug, message) }
    /// Writes an ``LogLevel/info`` line.
    public func info(_ message: String) { log(.info, message) }
    /// Writes a ``LogLevel/warning`` line.
    public func warning(_ message: String) { log(.warning, message) }
    /// Writes an ``LogLevel/error`` line.
    public func error(_ message: String) { log(.error, message) }
}

/// Writes lines at or above a minimum level to standard output as `LEVEL message`, which
/// is what the Lambda runtime forwards to CloudWatch Logs.
public struct PrintLogger: HandlerLogger {
    /// Lines below this level are dropped.
    public var minimumLevel: LogLevel

    /// Creates a logger that writes lines at `minimumLevel` and above.
    public init(minimumLevel: LogLevel = .info) {
        self.minimumLevel = minimumLevel
    }

    /// Prints the line when its level is high enough.
    public func log(_ level: LogLevel, _ message: String) {
        guard level >= minimumLevel else { return }
        print("\(level.rawValue.uppercased()) \(message)")
    }
}

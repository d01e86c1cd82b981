import Foundation
import FormworkRuntime

/// Keeps every log line.
// @unchecked: `collected` is only read or written while `lock` is held.
final class CollectingLogger: HandlerLogger, @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [(LogLevel, String)] = []

    func log(_ level: LogLevel, _ message: String) {
        lock.withLock { collected.append((level, message)) }
    }

    var lines: [(LogLevel, String)] {
        lock.withLock { collected }
    }
}

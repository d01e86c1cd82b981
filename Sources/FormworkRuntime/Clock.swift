import Foundation

/// Where handlers and simulated services read the time: the system clock in AWS, the
/// simulator's clock (real, or virtual and moved by tests) locally. Nothing else in handler or
/// simulator logic asks the system for the time.
///
/// ```swift
/// let clock = ManualClock(start: Date(timeIntervalSince1970: 1_796_144_400))
/// let services = Services(tables: tables, notifications: outbox, users: directory, parameters: parameters, clock: clock.clock)
/// clock.advance(by: 3600)
/// ```
public struct Clock: Sendable {
    private let read: @Sendable () -> Date

    /// A clock that reads its time from `read`.
    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    /// The current time.
    public func now() -> Date { read() }

    /// The system clock.
    public static let system = Clock { Date() }

    /// A clock that always reads `date`.
    public static func fixed(_ date: Date) -> Clock { Clock { date } }
}

/// A clock that moves only when told to: for tests, and for the simulator's virtual time.
public final class ManualClock: Sendable {
    private let state: LockedValue<Date>

    /// A clock standing at `start`.
    public init(start: Date) {
        state = LockedValue(start)
    }

    /// The current time.
    public var now: Date { state.value }

    /// The clock as handlers and services read it.
    public var clock: Clock { Clock { [state] in state.value } }

    /// Moves the clock forward by `interval` seconds (backward when negative).
    public func advance(by interval: TimeInterval) {
        state.update { $0 = $0.addingTimeInterval(interval) }
    }

    /// Sets the clock to `date`.
    public func set(to date: Date) {
        state.update { $0 = date }
    }
}

/// A value behind a lock, shared between tasks.
final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) {
        stored = value
    }

    var value: Value {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func update(_ change: (inout Value) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        change(&stored)
    }
}

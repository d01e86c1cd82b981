import FormworkRuntime
import Foundation
import NIOConcurrencyHelpers

/// The simulator's one clock. Real time by default, optionally shifted; or virtual time that
/// moves only when told to. Tokens, expiry checks, TTL, the outbox and (later) schedules all
/// read it.
public final class SimulatorClock: Sendable {
    /// How the clock runs.
    public enum Mode: String, Sendable, Codable {
        /// The wall clock, plus any shift made through ``advance(by:)`` or ``set(to:)``.
        case real
        /// Stands still until advanced or set.
        case virtual
    }

    /// How the clock runs.
    public let mode: Mode
    private let system: Clock
    /// Real mode: the shift from the wall clock. Virtual mode: the current time.
    private let state: NIOLockedValueBox<Date>

    /// A real clock over `system` (the system clock unless a test passes one).
    public static func real(system: Clock = .system) -> SimulatorClock {
        SimulatorClock(mode: .real, system: system, state: Date(timeIntervalSince1970: 0))
    }

    /// A virtual clock standing at `start`.
    public static func virtual(start: Date) -> SimulatorClock {
        SimulatorClock(mode: .virtual, system: .system, state: start)
    }

    private init(mode: Mode, system: Clock, state: Date) {
        self.mode = mode
        self.system = system
        self.state = NIOLockedValueBox(state)
    }

    /// The current time.
    public func now() -> Date {
        let value = state.withLockedValue { $0 }
        switch mode {
        case .real: return system.now().addingTimeInterval(value.timeIntervalSince1970)
        case .virtual: return value
        }
    }

    /// The clock as handlers and services read it.
    public var clock: Clock { Clock { [self] in now() } }

    /// Moves the clock by `interval` seconds.
    public func advance(by interval: TimeInterval) {
        state.withLockedValue { $0 = $0.addingTimeInterval(interval) }
    }

    /// Sets the clock to `date` (in real mode: shifts it so that it reads `date` now).
    public func set(to date: Date) {
        switch mode {
        case .real:
            let shift = date.timeIntervalSince(system.now())
            state.withLockedValue { $0 = Date(timeIntervalSince1970: shift) }
        case .virtual:
            state.withLockedValue { $0 = date }
        }
    }
}

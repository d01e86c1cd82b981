/// A deployment environment. Per-environment settings are ordinary Swift over its properties.
///
/// ```swift
/// Table("TasksTable", partitionKey: .string("taskId")).pointInTimeRecovery(env.isProduction)
/// Function("Worker", handler: TaskManagementHandler.self).logRetention(env.isProduction ? .days(365) : .days(7))
/// ```
public struct Environment: Sendable, Hashable, CustomStringConvertible {
    /// The environment's name, used in stage names, physical names and output paths.
    public var name: String
    /// Whether this environment serves real users: retention, protection and alarms turn on.
    public var isProduction: Bool

    /// Creates an environment.
    public init(_ name: String, isProduction: Bool = false) {
        self.name = name
        self.isProduction = isProduction
    }

    /// The development environment: cheap and deletable.
    public static let dev = Environment("dev")
    /// The pre-production environment.
    public static let staging = Environment("staging")
    /// The production environment.
    public static let prod = Environment("prod", isProduction: true)
    /// dev, staging and prod, in promotion order.
    public static let standard: [Environment] = [.dev, .staging, .prod]

    public var description: String { name }
}

/// A span of time used by settings such as timeouts, retention and schedules.
public struct TimeSpan: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in seconds.
    public var seconds: Int

    /// A span of seconds.
    public static func seconds(_ n: Int) -> TimeSpan { TimeSpan(seconds: n) }
    /// A span of minutes.
    public static func minutes(_ n: Int) -> TimeSpan { TimeSpan(seconds: saturating(n, 60)) }
    /// A span of hours.
    public static func hours(_ n: Int) -> TimeSpan { TimeSpan(seconds: saturating(n, 3600)) }
    /// A span of days.
    public static func days(_ n: Int) -> TimeSpan { TimeSpan(seconds: saturating(n, 86_400)) }

    /// `n × unit`, held at the largest magnitude instead of overflowing (validation then reports
    /// the value as out of range).
    static func saturating(_ n: Int, _ unit: Int) -> Int {
        let (value, overflow) = n.multipliedReportingOverflow(by: unit)
        return overflow ? (n < 0 ? Int.min : Int.max) : value
    }

    /// Whole minutes (rounded down).
    public var minutes: Int { seconds / 60 }
    /// Whole hours (rounded down).
    public var hours: Int { seconds / 3600 }
    /// Whole days (rounded down).
    public var days: Int { seconds / 86_400 }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.seconds < rhs.seconds }

    /// Why this span is not a whole number of days (`12 hours is less than a day`), for settings
    /// AWS counts in days; nil when it is one (zero included: settings that need at least a day
    /// say so themselves).
    public var wholeDaysProblem: String? {
        if seconds > 0 && seconds < 86_400 { return "\(self) is less than a day" }
        if seconds % 86_400 != 0 { return "\(self) is not a whole number of days" }
        return nil
    }

    public var description: String {
        if seconds % 86_400 == 0 { return "\(days) day\(days == 1 ? "" : "s")" }
        if seconds % 3600 == 0 { return "\(hours) hour\(hours == 1 ? "" : "s")" }
        if seconds % 60 == 0 { return "\(minutes) minute\(minutes == 1 ? "" : "s")" }
        return "\(seconds) second\(seconds == 1 ? "" : "s")"
    }
}

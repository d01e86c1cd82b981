import Foundation

/// An EventBridge schedule that invokes a function.
///
/// ```swift
/// Schedule("DeadlineReminders", .rate(.hours(1)), invoke: notifier)
/// Schedule("DailyDigest", .cron("0 8 ? * MON-FRI *"), invoke: notifier)
///     .timeZone("Europe/Berlin")
/// Schedule("LaunchDay", .at("2027-03-01T09:00:00"), invoke: notifier)
/// ```
///
/// A schedule with a time zone or a one-time `at(...)` expression runs on EventBridge
/// Scheduler; any other on an EventBridge rule (always UTC).
public struct Schedule: Resource, Taggable {
    public static let kind = ResourceKind.schedule
    public let name: String
    public let location: SourceLocation
    /// When the schedule fires.
    public let expression: ScheduleExpression
    /// The function invoked.
    public let target: ResourceID
    let targetDeclaredAt: SourceLocation
    let targetRunsOnSchedule: Bool
    /// What the schedule is for.
    public private(set) var summary = ""
    /// Whether the schedule is enabled.
    public private(set) var enabled = true
    /// The IANA time zone its cron or `at` times are in; UTC when nil.
    public private(set) var timeZone: String?

    /// Declares a schedule.
    public init(
        _ name: String, _ expression: ScheduleExpression, invoke function: Function,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.expression = expression
        self.target = function.id
        self.targetDeclaredAt = function.location
        self.targetRunsOnSchedule = function.scheduledHandler != nil
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    /// Describes the schedule.
    public func summary(_ text: String) -> Self { with { $0.summary = text } }
    /// Enables or disables the schedule.
    public func enabled(_ on: Bool) -> Self { with { $0.enabled = on } }
    /// Reads cron and `at` times in an IANA time zone (such as `America/New_York`), daylight
    /// saving included; the schedule then runs on EventBridge Scheduler.
    public func timeZone(_ identifier: String?) -> Self { with { $0.timeZone = identifier } }

    /// When the schedule fires; nil when its expression is not valid.
    public var recurrence: Recurrence? { try? expression.parsed().get() }

    /// The time zone its times are read in.
    public var zone: TimeZone { timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC") ?? .current }

    /// Whether it needs EventBridge Scheduler (a time zone or a one-time schedule) rather
    /// than an EventBridge rule.
    public var runsOnScheduler: Bool { timeZone != nil || expression.isOneTime }

    public var references: [Reference] {
        [Reference(target: target, targetLocation: targetDeclaredAt, purpose: "schedule target", location: location)]
    }

    public func validate() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if let problem = expression.problem {
            problems.append(.error("schedule '\(name)': \(problem)", at: location))
        }
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            problems.append(.error("schedule '\(name)': '\(timeZone)' is not an IANA time zone such as America/New_York", at: location))
        }
        if !targetRunsOnSchedule {
            problems.append(
                .error(
                    "schedule '\(name)' invokes function '\(target.name)', whose handler is not a ScheduledHandler", at: location,
                    notes: [.init("function '\(target.name)' declared here", at: targetDeclaredAt)]))
        }
        return problems
    }
}

/// When a schedule fires: `rate(...)`, AWS's six-field `cron(...)`, or once, `at(...)`.
public enum ScheduleExpression: Sendable, Hashable, CustomStringConvertible {
    /// Every `span` (whole minutes, at least one).
    case rate(TimeSpan)
    /// Six fields: minutes hours day-of-month month day-of-week year.
    case cron(String)
    /// Once, at a local time `yyyy-mm-ddThh:mm:ss` (EventBridge Scheduler only).
    case at(String)
    /// An expression as written in AWS, such as `rate(5 minutes)`, `cron(0 8 * * ? *)` or
    /// `at(2026-12-24T09:00:00)`.
    case expression(String)

    /// The expression as AWS writes it.
    public var description: String {
        switch self {
        case .rate(let span):
            let (value, unit) =
                span.seconds % 86_400 == 0
                ? (span.days, "day")
                : span.seconds % 3600 == 0 ? (span.hours, "hour") : (span.minutes, "minute")
            return "rate(\(value) \(unit)\(value == 1 ? "" : "s"))"
        case .cron(let fields):
            return "cron(\(fields))"
        case .at(let time):
            return "at(\(time))"
        case .expression(let text):
            return text
        }
    }

    /// The expression parsed into when it fires, or why AWS would refuse it.
    public func parsed() -> Result<Recurrence, ScheduleExpressionError> {
        switch self {
        case .rate(let span):
            if span.seconds < 60 || span.seconds % 60 != 0 { return .failure(.init("a rate must be a whole number of minutes, at least one")) }
            return .success(.rate(seconds: span.seconds))
        case .cron(let fields):
            return CronSchedule.parse(fields).map(Recurrence.cron)
        case .at(let time):
            guard let local = LocalDateTime(time) else {
                return .failure(.init("at(\(time)) must name a valid local time as yyyy-mm-ddThh:mm:ss, like at(2026-12-24T09:00:00)"))
            }
            return .success(.once(local))
        case .expression(let text):
            guard text.hasSuffix(")") else { return .failure(.init("'\(text)' is neither rate(...), cron(...) nor at(...)")) }
            if text.hasPrefix("rate(") { return RateRules.parse(String(text.dropFirst(5).dropLast())) }
            if text.hasPrefix("cron(") { return ScheduleExpression.cron(String(text.dropFirst(5).dropLast())).parsed() }
            if text.hasPrefix("at(") { return ScheduleExpression.at(String(text.dropFirst(3).dropLast())).parsed() }
            return .failure(.init("'\(text)' is neither rate(...), cron(...) nor at(...)"))
        }
    }

    /// What is wrong with the expression, or nil when AWS accepts it.
    public var problem: String? {
        if case .failure(let error) = parsed() { return error.message }
        return nil
    }

    /// Whether only EventBridge Scheduler runs it (one-time schedules).
    public var isOneTime: Bool {
        if case .success(.once) = parsed() { return true }
        return false
    }
}

enum RateRules {
    static func parse(_ body: String) -> Result<Recurrence, ScheduleExpressionError> {
        let parts = body.split(separator: " ")
        guard parts.count == 2, let value = Int(parts[0]) else {
            return .failure(.init("rate(\(body)) must be 'rate(VALUE UNIT)', like rate(5 minutes)"))
        }
        guard value > 0 else { return .failure(.init("rate(\(body)) needs a positive value")) }
        let unit = String(parts[1])
        let singular = ["minute", "hour", "day"], plural = ["minutes", "hours", "days"]
        if value == 1 && !singular.contains(unit) { return .failure(.init("rate(\(body)): a value of 1 takes a singular unit (minute, hour, day)")) }
        if value != 1 && !plural.contains(unit) { return .failure(.init("rate(\(body)): the unit must be minutes, hours or days")) }
        let seconds = [60, 3600, 86_400][(singular.firstIndex(of: unit) ?? plural.firstIndex(of: unit)) ?? 0]
        let (total, overflow) = value.multipliedReportingOverflow(by: seconds)
        guard !overflow else { return .failure(.init("rate(\(body)) is too long")) }
        return .success(.rate(seconds: total))
    }
}

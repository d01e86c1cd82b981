/// An EventBridge schedule that invokes a function.
///
/// ```swift
/// Schedule("DeadlineReminders", .rate(.hours(1)), invoke: notifications)
/// Schedule("DailyDigest", .cron("0 8 ? * MON-FRI *"), invoke: notifications)
/// ```
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

    public var references: [Reference] {
        [Reference(target: target, targetLocation: targetDeclaredAt, purpose: "schedule target", location: location)]
    }

    public func validate() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if let problem = expression.problem {
            problems.append(.error("schedule '\(name)': \(problem)", at: location))
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

/// When a schedule fires: `rate(...)` or AWS's six-field `cron(...)`.
public enum ScheduleExpression: Sendable, Hashable, CustomStringConvertible {
    /// Every `span` (whole minutes, at least one).
    case rate(TimeSpan)
    /// Six fields: minutes hours day-of-month month day-of-week year.
    case cron(String)
    /// An expression as written in AWS, such as `rate(5 minutes)` or `cron(0 8 * * ? *)`.
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
        case .expression(let text):
            return text
        }
    }

    /// What is wrong with the expression, or nil when AWS accepts it.
    public var problem: String? {
        switch self {
        case .rate(let span):
            if span.seconds < 60 || span.seconds % 60 != 0 { return "a rate must be a whole number of minutes, at least one" }
            return nil
        case .cron(let fields):
            return CronRules.problem(fields)
        case .expression(let text):
            if text.hasPrefix("rate(") && text.hasSuffix(")") { return RateRules.problem(String(text.dropFirst(5).dropLast())) }
            if text.hasPrefix("cron(") && text.hasSuffix(")") { return CronRules.problem(String(text.dropFirst(5).dropLast())) }
            return "'\(text)' is neither rate(...) nor cron(...)"
        }
    }
}

enum RateRules {
    static func problem(_ body: String) -> String? {
        let parts = body.split(separator: " ")
        guard parts.count == 2, let value = Int(parts[0]) else { return "rate(\(body)) must be 'rate(VALUE UNIT)', like rate(5 minutes)" }
        guard value > 0 else { return "rate(\(body)) needs a positive value" }
        let unit = String(parts[1])
        let singular = ["minute", "hour", "day"], plural = ["minutes", "hours", "days"]
        if value == 1 && !singular.contains(unit) { return "rate(\(body)): a value of 1 takes a singular unit (minute, hour, day)" }
        if value != 1 && !plural.contains(unit) { return "rate(\(body)): the unit must be minutes, hours or days" }
        return nil
    }
}

/// AWS cron: `minutes hours day-of-month month day-of-week year`, where one of day-of-month and
/// day-of-week must be `?`.
enum CronRules {
    private static let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    static func problem(_ text: String) -> String? {
        let fields = text.split(separator: " ").map(String.init)
        guard fields.count == 6 else {
            return "cron(\(text)) has \(fields.count) fields; AWS cron needs 6 (minutes hours day-of-month month day-of-week year)"
        }
        let (dom, dow) = (fields[2], fields[4])
        if (dom == "?") == (dow == "?") {
            return "cron(\(text)): exactly one of day-of-month and day-of-week must be '?'"
        }
        let checks: [(String, String, ClosedRange<Int>, [String])] = [
            (fields[0], "minutes", 0...59, []), (fields[1], "hours", 0...23, []),
            (fields[2], "day-of-month", 1...31, []), (fields[3], "month", 1...12, months),
            (fields[4], "day-of-week", 1...7, weekdays), (fields[5], "year", 1970...2199, []),
        ]
        for (field, label, range, names) in checks {
            if let problem = fieldProblem(field, label: label, range: range, names: names) {
                return "cron(\(text)): \(problem)"
            }
        }
        return nil
    }

    private static func fieldProblem(_ field: String, label: String, range: ClosedRange<Int>, names: [String]) -> String? {
        if field == "*" { return nil }
        if field == "?" { return ["day-of-month", "day-of-week"].contains(label) ? nil : "'?' is allowed only in day-of-month and day-of-week" }
        for item in field.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if label == "day-of-month", item == "L" || item == "LW" { continue }
            if label == "day-of-month", item.hasSuffix("W"), let day = Int(item.dropLast()), range.contains(day) { continue }
            if label == "day-of-week", item.hasSuffix("L"), value(String(item.dropLast()), names: names).map(range.contains) == true { continue }
            if label == "day-of-week", item.contains("#") {
                let parts = item.split(separator: "#")
                if parts.count == 2, value(String(parts[0]), names: names).map(range.contains) == true,
                    let nth = Int(parts[1]), (1...5).contains(nth)
                {
                    continue
                }
                return "'\(item)' in \(label) must be DAY#N with N from 1 to 5"
            }
            let stepParts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if stepParts.count > 2 { return "'\(item)' in \(label) has more than one '/'" }
            if stepParts.count == 2 {
                guard let step = Int(stepParts[1]), step > 0 else { return "'\(item)' in \(label) needs a positive increment after '/'" }
            }
            let base = stepParts[0]
            if base == "*" && stepParts.count == 2 { continue }
            let bounds = base.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(bounds.count) else { return "'\(item)' in \(label) is not a value, range or increment" }
            for bound in bounds {
                guard let number = value(bound, names: names) else { return "'\(bound)' is not a valid \(label) value" }
                if !range.contains(number) { return "\(bound) is outside \(label)'s range \(range.lowerBound)-\(range.upperBound)" }
            }
        }
        return nil
    }

    private static func value(_ text: String, names: [String]) -> Int? {
        if let number = Int(text) { return number }
        if let index = names.firstIndex(of: text.uppercased()) { return index + 1 }
        return nil
    }
}

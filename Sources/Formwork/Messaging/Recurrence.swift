import FormworkRuntime
import Foundation

/// When a schedule fires, parsed from its expression: a rate, an AWS cron, or one time.
/// Validation and the simulator's scheduler both read this one value.
///
/// ```swift
/// let recurrence = try ScheduleExpression.cron("0 8 ? * MON-FRI *").parsed().get()
/// recurrence.nextFire(after: now, anchor: created, timeZone: .gmt)
/// ```
public enum Recurrence: Sendable, Hashable {
    /// Every `seconds`, counted from when the schedule was created.
    case rate(seconds: Int)
    /// At the times the cron fields select.
    case cron(CronSchedule)
    /// Once, at a local date and time.
    case once(LocalDateTime)

    /// The first time the schedule fires strictly after `date`, in `timeZone`; `anchor` is
    /// when the schedule was created (rates count from it). Nil when it never fires again.
    public func nextFire(after date: Date, anchor: Date, timeZone: TimeZone) -> Date? {
        switch self {
        case .rate(let seconds):
            // Whole periods from the anchor, then forward until strictly after `date`: the
            // division can round so that the first guess is not later.
            let elapsed = date.timeIntervalSince(anchor)
            var periods = elapsed < 0 ? 1 : Int64((elapsed / Double(seconds)).rounded(.down)) + 1
            var fire = anchor.addingTimeInterval(Double(periods) * Double(seconds))
            while fire <= date {
                periods += 1
                fire = anchor.addingTimeInterval(Double(periods) * Double(seconds))
            }
            return fire
        case .cron(let schedule):
            return schedule.nextFire(after: date, timeZone: timeZone)
        case .once(let time):
            guard let fire = time.date(in: timeZone), fire > date, fire > anchor else { return nil }
            return fire
        }
    }
}

/// A date and time on a wall clock, without a time zone: what `at(...)` names.
public struct LocalDateTime: Sendable, Hashable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    /// Parses `yyyy-mm-ddThh:mm:ss`, exactly.
    public init?(_ text: String) {
        let characters = Array(text)
        let separators: [Int: Character] = [4: "-", 7: "-", 10: "T", 13: ":", 16: ":"]
        guard characters.count == 19,
            characters.indices.allSatisfy({ index in
                separators[index].map { characters[index] == $0 } ?? (characters[index].isASCII && characters[index].isNumber)
            })
        else { return nil }
        func number(_ range: Range<Int>) -> Int { Int(String(characters[range])) ?? -1 }
        (year, month, day, hour, minute, second) = (number(0..<4), number(5..<7), number(8..<10), number(11..<13), number(14..<16), number(17..<19))
        guard (1...12).contains(month), (1...CronSchedule.daysIn(month: month, year: year)).contains(day), (0...23).contains(hour),
            (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
    }

    /// The instant this wall-clock time names in `timeZone`; nil when the time does not
    /// exist there (skipped by a daylight-saving change).
    public func date(in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return date(in: calendar)
    }

    /// The instant this wall-clock time names in the calendar's time zone.
    func date(in calendar: Calendar) -> Date? {
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard back.year == year, back.month == month, back.day == day, back.hour == hour, back.minute == minute else { return nil }
        return date
    }

    public var description: String {
        String(format: "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, minute, second)
    }
}

/// An AWS cron expression, parsed: `minutes hours day-of-month month day-of-week year`.
public struct CronSchedule: Sendable, Hashable {
    /// A day-of-month selector.
    public enum MonthDay: Sendable, Hashable {
        case day(Int)
        /// `L`: the last day of the month.
        case last
        /// `LW`: the last weekday (Monday to Friday) of the month.
        case lastWeekday
        /// `15W`: the weekday nearest the day, within the month.
        case nearestWeekday(Int)
    }

    /// A day-of-week selector; weekdays are 1 (Sunday) to 7 (Saturday).
    public enum WeekDay: Sendable, Hashable {
        case weekday(Int)
        /// `6L`: the last such weekday of the month.
        case last(Int)
        /// `MON#2`: the nth such weekday of the month.
        case nth(Int, Int)
    }

    public let minutes: Set<Int>
    public let hours: Set<Int>
    /// Nil when day-of-month is `?` or `*` (any day).
    public let monthDays: Set<MonthDay>?
    public let months: Set<Int>
    /// Nil when day-of-week is `?` or `*` (any day).
    public let weekDays: Set<WeekDay>?
    public let years: Set<Int>

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let weekdayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
    static let yearRange = 1970...2199

    /// Parses the six fields; the error says what is wrong, in the words of AWS's rules.
    public static func parse(_ text: String) -> Result<CronSchedule, ScheduleExpressionError> {
        let fields = text.split(separator: " ").map(String.init)
        func failure(_ message: String) -> Result<CronSchedule, ScheduleExpressionError> { .failure(.init("cron(\(text)): \(message)")) }
        guard fields.count == 6 else {
            return .failure(.init("cron(\(text)) has \(fields.count) fields; AWS cron needs 6 (minutes hours day-of-month month day-of-week year)"))
        }
        if (fields[2] == "?") == (fields[4] == "?") {
            return failure("exactly one of day-of-month and day-of-week must be '?'")
        }
        do throws(ScheduleExpressionError) {
            let minutes = try numbers(fields[0], label: "minutes", range: 0...59)
            let hours = try numbers(fields[1], label: "hours", range: 0...23)
            let monthDays = try monthDays(fields[2])
            let months = try numbers(fields[3], label: "month", range: 1...12, names: monthNames)
            let weekDays = try weekDays(fields[4])
            let years = try numbers(fields[5], label: "year", range: yearRange)
            return .success(
                CronSchedule(minutes: minutes, hours: hours, monthDays: monthDays, months: months, weekDays: weekDays, years: years))
        } catch {
            return failure(error.message)
        }
    }

    private static func monthDays(_ field: String) throws(ScheduleExpressionError) -> Set<MonthDay>? {
        if field == "?" || field == "*" { return nil }
        var days: Set<MonthDay> = []
        for item in field.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if item == "L" {
                days.insert(.last)
            } else if item == "LW" {
                days.insert(.lastWeekday)
            } else if item.hasSuffix("W") {
                guard let day = Int(item.dropLast()), (1...31).contains(day) else {
                    throw .init("'\(item)' in day-of-month must be DAYW with DAY from 1 to 31")
                }
                days.insert(.nearestWeekday(day))
            } else {
                days.formUnion(try numbers(item, label: "day-of-month", range: 1...31).map(MonthDay.day))
            }
        }
        return days
    }

    private static func weekDays(_ field: String) throws(ScheduleExpressionError) -> Set<WeekDay>? {
        if field == "?" || field == "*" { return nil }
        var days: Set<WeekDay> = []
        for item in field.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if item.contains("#") {
                let parts = item.split(separator: "#", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 2, let day = value(parts[0], names: weekdayNames), (1...7).contains(day), let nth = Int(parts[1]),
                    (1...5).contains(nth)
                else { throw .init("'\(item)' in day-of-week must be DAY#N with N from 1 to 5") }
                days.insert(.nth(day, nth))
            } else if item == "L" {
                // `L` alone is the last day of the week: Saturday.
                days.insert(.weekday(7))
            } else if item.count > 1, item.hasSuffix("L") {
                guard let day = value(String(item.dropLast()), names: weekdayNames), (1...7).contains(day) else {
                    throw .init("'\(item)' in day-of-week must be DAYL, the last such day of the month")
                }
                days.insert(.last(day))
            } else {
                days.formUnion(try numbers(item, label: "day-of-week", range: 1...7, names: weekdayNames).map(WeekDay.weekday))
            }
        }
        return days
    }

    /// The values a list of values, ranges (wrapping around when reversed) and increments selects.
    private static func numbers(_ field: String, label: String, range: ClosedRange<Int>, names: [String] = []) throws(ScheduleExpressionError)
        -> Set<Int>
    {
        if field == "*" { return Set(range) }
        if field == "?" { throw .init("'?' is allowed only in day-of-month and day-of-week") }
        var selected: Set<Int> = []
        for item in field.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let stepParts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if stepParts.count > 2 { throw .init("'\(item)' in \(label) has more than one '/'") }
            var step = 1
            if stepParts.count == 2 {
                guard let value = Int(stepParts[1]), value > 0 else { throw .init("'\(item)' in \(label) needs a positive increment after '/'") }
                step = value
            }
            var (low, high) = (range.lowerBound, range.upperBound)
            if stepParts[0] != "*" {
                let bounds = stepParts[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard (1...2).contains(bounds.count) else { throw .init("'\(item)' in \(label) is not a value, range or increment") }
                var values: [Int] = []
                for bound in bounds {
                    guard let number = value(bound, names: names) else { throw .init("'\(bound)' is not a valid \(label) value") }
                    guard range.contains(number) else {
                        throw .init("\(bound) is outside \(label)'s range \(range.lowerBound)-\(range.upperBound)")
                    }
                    values.append(number)
                }
                low = values[0]
                high = bounds.count == 2 ? values[1] : (stepParts.count == 2 ? range.upperBound : values[0])
            }
            let width = range.count
            let span = high >= low ? high - low : high - low + width
            for offset in stride(from: 0, through: span, by: step) {
                selected.insert(range.lowerBound + (low - range.lowerBound + offset) % width)
            }
        }
        return selected
    }

    private static func value(_ text: String, names: [String]) -> Int? {
        if let number = Int(text) { return number }
        if let index = names.firstIndex(of: text.uppercased()) { return index + 1 }
        return nil
    }

    /// The first minute the fields select strictly after `date`, in `timeZone`. A local time
    /// that a daylight-saving change skips does not fire; one it repeats fires once.
    public func nextFire(after date: Date, timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard var year = start.year, var month = start.month, var day = start.day, let startHour = start.hour, let startMinute = start.minute
        else { return nil }
        let firstDay = (year, month, day)
        let sortedHours = hours.sorted(), sortedMinutes = minutes.sorted()
        while year <= Self.yearRange.upperBound {
            guard years.contains(year) else {
                (year, month, day) = (year + 1, 1, 1)
                continue
            }
            guard months.contains(month) else {
                (year, month, day) = month == 12 ? (year + 1, 1, 1) : (year, month + 1, 1)
                continue
            }
            if matches(year: year, month: month, day: day) {
                let onFirstDay = (year, month, day) == firstDay
                // On the first day, start at the start's hour and minute (a daylight-saving
                // change can make an earlier local time the later instant, so one hour back).
                for hour in sortedHours where !onFirstDay || hour >= startHour - 1 {
                    for minute in sortedMinutes where !onFirstDay || hour != startHour || minute >= startMinute {
                        let time = LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute)
                        if let fire = time.date(in: calendar), fire > date { return fire }
                    }
                }
            }
            if day < Self.daysIn(month: month, year: year) {
                day += 1
            } else {
                (year, month, day) = month == 12 ? (year + 1, 1, 1) : (year, month + 1, 1)
            }
        }
        return nil
    }

    private func matches(year: Int, month: Int, day: Int) -> Bool {
        let length = Self.daysIn(month: month, year: year)
        let weekday = Self.weekday(year: year, month: month, day: day)
        let isWeekday = (2...6).contains(weekday)
        let dayMatches =
            monthDays?.contains { selector in
                switch selector {
                case .day(let wanted): return wanted == day
                case .last: return day == length
                case .lastWeekday:
                    let lastWeekday = Self.weekday(year: year, month: month, day: length)
                    return day == length - (lastWeekday == 1 ? 2 : lastWeekday == 7 ? 1 : 0)
                case .nearestWeekday(let wanted):
                    guard wanted <= length else { return false }
                    let target = Self.weekday(year: year, month: month, day: wanted)
                    var nearest = wanted
                    if target == 7 { nearest = wanted == 1 ? 3 : wanted - 1 }
                    if target == 1 { nearest = wanted == length ? wanted - 2 : wanted + 1 }
                    return isWeekday && day == nearest
                }
            } ?? true
        let weekMatches =
            weekDays?.contains { selector in
                switch selector {
                case .weekday(let wanted): return wanted == weekday
                case .last(let wanted): return wanted == weekday && day + 7 > length
                case .nth(let wanted, let nth): return wanted == weekday && (day - 1) / 7 + 1 == nth
                }
            } ?? true
        return dayMatches && weekMatches
    }

    /// The number of days in a month of the Gregorian calendar.
    static func daysIn(month: Int, year: Int) -> Int {
        Int(CivilCalendar.daysInMonth(year: Int64(year), month: Int64(month)))
    }

    /// 1 (Sunday) to 7 (Saturday).
    static func weekday(year: Int, month: Int, day: Int) -> Int {
        Int(CivilCalendar.weekday(year: Int64(year), month: Int64(month), day: Int64(day)))
    }
}

extension LocalDateTime {
    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int = 0) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }
}

/// Why a schedule expression is not one AWS accepts.
public struct ScheduleExpressionError: Error, Sendable, Hashable {
    /// What is wrong, naming the expression.
    public var message: String

    init(_ message: String) { self.message = message }
}

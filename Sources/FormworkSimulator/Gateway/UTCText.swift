import FormworkRuntime
import Foundation

/// The two time formats API Gateway writes, built from the calendar arithmetic directly
/// (a `DateFormatter` per request cost more than the rest of the request path).
enum UTCText {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    struct Parts {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, weekday: Int
    }

    /// The UTC calendar fields of `date` (proleptic Gregorian).
    static func parts(_ date: Date) -> Parts {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilCalendar.date(fromDays: Int64(days))
        let weekday = ((days % 7) + 11) % 7
        return Parts(
            year: Int(year), month: Int(month), day: Int(day), hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60,
            weekday: weekday)
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `requestContext.requestTime`: `01/Dec/2026:09:00:00 +0000`.
    static func requestTime(_ date: Date) -> String {
        let p = parts(date)
        return "\(two(p.day))/\(months[p.month - 1])/\(p.year):\(two(p.hour)):\(two(p.minute)):\(two(p.second)) +0000"
    }

    /// A time as Java's `Date.toString()` prints it in UTC, as the authorizer's claims carry
    /// it: `Tue Dec 01 09:00:00 UTC 2026`.
    static func javaDate(_ date: Date) -> String {
        let p = parts(date)
        return "\(weekdays[p.weekday]) \(months[p.month - 1]) \(two(p.day)) \(two(p.hour)):\(two(p.minute)):\(two(p.second)) UTC \(p.year)"
    }
}

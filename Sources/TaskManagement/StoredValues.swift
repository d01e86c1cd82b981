import FormworkRuntime
import Foundation

/// Times as the tables keep them: RFC 3339 in UTC, always with milliseconds
/// (`2026-12-01T17:00:00.000Z`), so that text order is time order in sort keys.
enum StoredTime {
    /// The fixed-width text of `date`.
    static func text(_ date: Date) -> String {
        let text = JSONCoding.formatDate(date)
        // `formatDate` leaves out a zero fraction: `…:00Z` becomes `…:00.000Z`.
        guard !text.contains("."), text.hasSuffix("Z") else { return text }
        return String(text.dropLast()) + ".000Z"
    }

    /// The date stored as `text`, or `nil`.
    static func date(_ text: String) -> Date? {
        JSONCoding.parseDate(text)
    }
}

/// An item in a table does not have the shape the handlers wrote: a data problem, not the
/// caller's.
struct CorruptItem: Error, CustomStringConvertible {
    var table: String
    var attribute: String

    var description: String {
        "An item in table '\(table)' has a missing or malformed '\(attribute)' attribute."
    }
}

/// Reads the attributes of one item, reporting the first missing or malformed one.
struct ItemReader {
    var item: TableItem
    var table: String

    func string(_ name: String) throws -> String {
        guard let value = item[name]?.stringValue else { throw CorruptItem(table: table, attribute: name) }
        return value
    }

    func optionalString(_ name: String) -> String? {
        item[name]?.stringValue
    }

    func int(_ name: String) throws -> Int {
        guard let value = item[name]?.intValue else { throw CorruptItem(table: table, attribute: name) }
        return value
    }

    func bool(_ name: String) throws -> Bool {
        guard let value = item[name]?.boolValue else { throw CorruptItem(table: table, attribute: name) }
        return value
    }

    func date(_ name: String) throws -> Date {
        guard let date = optionalDate(name) else { throw CorruptItem(table: table, attribute: name) }
        return date
    }

    func optionalDate(_ name: String) -> Date? {
        item[name]?.stringValue.flatMap(StoredTime.date)
    }

    func value<Value: RawRepresentable>(_ name: String, as type: Value.Type) throws -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: try string(name)) else { throw CorruptItem(table: table, attribute: name) }
        return value
    }
}

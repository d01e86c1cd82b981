import Foundation

/// The one place that configures JSON encoding and decoding for Formwork's event,
/// response and API body types.
///
/// Dates are RFC 3339 / ISO 8601 strings in UTC: whole seconds are written without a
/// fraction (`2026-12-01T17:00:00Z`), other dates with milliseconds
/// (`2019-01-02T12:45:07.250Z`). Decoding accepts any fraction length and a `Z` or numeric
/// offset. Encoded keys are sorted, so output is deterministic.
///
/// ```swift
/// let event = try JSONCoding.decode(ScheduledEvent.self, from: data)
/// let body = try JSONCoding.encode(task)
/// ```
public enum JSONCoding {
    /// A new encoder with ISO 8601 dates, sorted keys and unescaped slashes.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatDate(date))
        }
        return encoder
    }

    /// A new decoder with ISO 8601 dates (with or without fractional seconds).
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseDate(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "Expected an ISO 8601 date-time such as 2026-12-01T17:00:00Z, found '\(text)'."
                )
            }
            return date
        }
        return decoder
    }

    /// Encodes `value` with ``makeEncoder()``.
    public static func encode<Value: Encodable>(_ value: Value) throws -> Data {
        try makeEncoder().encode(value)
    }

    /// Decodes a `Value` from `data` with ``makeDecoder()``.
    public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        try makeDecoder().decode(type, from: data)
    }

    /// The ISO 8601 text of `date` in UTC, rounded to milliseconds; the fraction is left out
    /// when it is zero.
    public static func formatDate(_ date: Date) -> String {
        ISO8601Timestamp.format(date)
    }

    /// The date an RFC 3339 / ISO 8601 date-time denotes, or `nil` if `text` is not one.
    /// A time zone (`Z` or `±HH:MM`) is required.
    public static func parseDate(_ text: String) -> Date? {
        ISO8601Timestamp.parse(text)
    }
}

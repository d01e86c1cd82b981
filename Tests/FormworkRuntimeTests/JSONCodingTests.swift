import Foundation
import FormworkRuntime
import Testing

@Suite("JSONCoding dates")
struct JSONCodingTests {
    @Test("whole seconds are written without a fraction")
    func wholeSeconds() {
        let date = Date(timeIntervalSince1970: 1_796_144_400)
        #expect(JSONCoding.formatDate(date) == "2026-12-01T17:00:00Z")
        #expect(JSONCoding.parseDate("2026-12-01T17:00:00Z") == date)
    }

    @Test("fractions are read at any length and written as milliseconds")
    func fractionalSeconds() throws {
        let parsed = try #require(JSONCoding.parseDate("2019-01-02T12:45:07.25Z"))
        #expect(parsed == Date(timeIntervalSince1970: 1_546_433_107.25))
        #expect(JSONCoding.formatDate(parsed) == "2019-01-02T12:45:07.250Z")
        #expect(JSONCoding.parseDate("2019-01-02T12:45:07.000Z") == Date(timeIntervalSince1970: 1_546_433_107))
        #expect(JSONCoding.parseDate("2019-01-02T12:45:07.123456789Z") != nil)
    }

    @Test("formatting rounds to the nearest millisecond, carrying into the seconds")
    func rounding() {
        #expect(JSONCoding.formatDate(Date(timeIntervalSince1970: 1_546_433_107.9996)) == "2019-01-02T12:45:08Z")
        #expect(JSONCoding.formatDate(Date(timeIntervalSince1970: 1_546_433_107.1234)) == "2019-01-02T12:45:07.123Z")
    }

    @Test("text written for a parsed date parses back to the same date")
    func stableRoundTrip() throws {
        for text in ["2019-01-02T12:45:07.123Z", "2030-07-15T08:09:10.999Z", "1999-12-31T23:59:59.001Z"] {
            let date = try #require(JSONCoding.parseDate(text))
            #expect(JSONCoding.formatDate(date) == text)
            #expect(JSONCoding.parseDate(JSONCoding.formatDate(date)) == date)
        }
    }

    @Test("offsets are applied and the output is UTC")
    func offsets() {
        let utc = JSONCoding.parseDate("2026-12-01T17:00:00Z")
        #expect(utc != nil)
        #expect(JSONCoding.parseDate("2026-12-01T18:00:00+01:00") == utc)
        #expect(JSONCoding.parseDate("2026-12-01T12:00:00-0500") == utc)
        #expect(JSONCoding.parseDate("2026-12-01t17:00:00z") == utc)
    }

    @Test("dates before 1970 and at the ends of the four-digit years")
    func calendarEdges() {
        #expect(JSONCoding.formatDate(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(JSONCoding.formatDate(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        #expect(JSONCoding.parseDate("0001-01-01T00:00:00Z") == Date(timeIntervalSince1970: -62_135_596_800))
        #expect(JSONCoding.parseDate("9999-12-31T23:59:59Z") == Date(timeIntervalSince1970: 253_402_300_799))
        #expect(JSONCoding.parseDate("2024-02-29T00:00:00Z") == Date(timeIntervalSince1970: 1_709_164_800))
        #expect(JSONCoding.parseDate("2000-02-29T12:00:00Z") == Date(timeIntervalSince1970: 951_825_600))
        #expect(JSONCoding.formatDate(Date(timeIntervalSince1970: 951_825_600)) == "2000-02-29T12:00:00Z")
    }

    @Test(
        "text that is not an RFC 3339 date-time is rejected",
        arguments: [
            "", "garbage", "2026-12-01", "2026-12-01T17:00:00", "2026-12-01T17:00Z", "2026-02-30T00:00:00Z",
            "2100-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T17:60:00Z",
            "2026-12-01T17:00:00.Z", "2026-12-01T17:00:00Zjunk", "2026-12-01T17:00:00+25:00", "26-12-01T17:00:00Z",
            "2026-12-01 17:00:00Z",
        ])
    func rejects(text: String) {
        #expect(JSONCoding.parseDate(text) == nil)
    }

    private struct Stamped: Codable, Equatable {
        var at: Date
    }

    @Test("the encoder and decoder use the same date form, with a clear error for bad text")
    func coders() throws {
        let value = Stamped(at: Date(timeIntervalSince1970: 1_796_144_400))
        #expect(try encodedText(value) == #"{"at":"2026-12-01T17:00:00Z"}"#)
        #expect(try roundTrip(value) == value)
        let error = #expect(throws: DecodingError.self) { try decode(Stamped.self, #"{"at":"yesterday"}"#) }
        #expect(decodingMessage(error).contains("ISO 8601"))
    }

    @Test("encoded keys are sorted and slashes are not escaped")
    func deterministicOutput() throws {
        let text = try encodedText(["b": "https://example.com/x", "a": "1"])
        #expect(text == #"{"a":"1","b":"https://example.com/x"}"#)
    }
}

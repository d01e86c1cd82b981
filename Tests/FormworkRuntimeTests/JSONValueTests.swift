import Foundation
import FormworkRuntime
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test("decodes every kind of JSON value and round-trips")
    func decodes() throws {
        let value = try decode(JSONValue.self, #"{"a":null,"b":true,"c":1.5,"d":"x","e":[1,"y",false],"f":{}}"#)
        #expect(value == ["a": nil, "b": true, "c": 1.5, "d": "x", "e": [1, "y", false], "f": .object([:])])
        #expect(try roundTrip(value) == value)
        #expect(try encodedText(value) == #"{"a":null,"b":true,"c":1.5,"d":"x","e":[1,"y",false],"f":{}}"#)
    }

    @Test("the subscript reads object members only")
    func subscripting() {
        let value: JSONValue = ["reason": "manual"]
        #expect(value["reason"] == .string("manual"))
        #expect(value["missing"] == nil)
        #expect(JSONValue.array([])["reason"] == nil)
    }
}

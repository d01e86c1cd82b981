import Foundation
import FormworkRuntime
import Testing

@Suite("AttributeValue wire form")
struct AttributeValueTests {
    /// Each value beside its exact DynamoDB JSON (keys sorted, as the encoder writes them).
    static let wireForms: [(String, AttributeValue)] = [
        (#"{"S":"hello"}"#, .string("hello")),
        (#"{"S":""}"#, .string("")),
        (#"{"N":"1.5"}"#, .number("1.5")),
        (#"{"N":"-0.000000000000000000000000000000000001"}"#, .number("-0.000000000000000000000000000000000001")),
        (#"{"N":"99999999999999999999999999999999999999"}"#, .number("99999999999999999999999999999999999999")),
        (#"{"N":"12345678901234567890.123456789012345678"}"#, .number("12345678901234567890.123456789012345678")),
        (#"{"N":"9.9999999999999999999999999999999999999E+125"}"#, .number("9.9999999999999999999999999999999999999E+125")),
        (#"{"N":"1E-130"}"#, .number("1E-130")),
        (#"{"B":"AAEC/w=="}"#, .binary(Data([0, 1, 2, 255]))),
        (#"{"BOOL":true}"#, .bool(true)),
        (#"{"BOOL":false}"#, .bool(false)),
        (#"{"NULL":true}"#, .null),
        (#"{"M":{}}"#, .map([:])),
        (#"{"L":[]}"#, .list([])),
        (#"{"SS":["a","b"]}"#, .stringSet(["a", "b"])),
        (#"{"NS":["1","-2.5","1E+3"]}"#, .numberSet(["1", "-2.5", "1E+3"])),
        (#"{"BS":["AQ==","Ag=="]}"#, .binarySet([Data([1]), Data([2])])),
        (
            #"{"M":{"assignee":{"M":{"id":{"S":"u-1"},"tags":{"SS":["x"]}}},"history":{"L":[{"N":"1"},{"L":[{"NULL":true},{"BOOL":false}]},{"M":{"b":{"B":"/w=="}}}]},"title":{"S":"Ship"}}}"#,
            .map([
                "title": .string("Ship"),
                "assignee": .map(["id": .string("u-1"), "tags": .stringSet(["x"])]),
                "history": .list([.number("1"), .list([.null, .bool(false)]), .map(["b": .binary(Data([255]))])]),
            ])
        ),
    ]

    @Test("decodes and encodes the exact wire JSON", arguments: wireForms)
    func wireForm(json: String, value: AttributeValue) throws {
        #expect(try decode(AttributeValue.self, json) == value)
        #expect(try encodedText(value) == json)
        #expect(try roundTrip(value) == value)
    }

    @Test("numbers keep their exact text")
    func exactNumbers() throws {
        let tiny = try decode(AttributeValue.self, #"{"N":"-0.000000000000000000000000000000000001"}"#)
        #expect(tiny.numberValue == "-0.000000000000000000000000000000000001")
        let big = try decode(AttributeValue.self, #"{"N":"12345678901234567890123456789012345678"}"#)
        #expect(big.numberValue == "12345678901234567890123456789012345678")
        #expect(big.numberValue?.count == 38)
        #expect(try encodedText(big) == #"{"N":"12345678901234567890123456789012345678"}"#)
    }

    @Test("an item round-trips as DynamoDB's attribute map")
    func item() throws {
        let item: TableItem = [
            "taskId": "t-1", "version": 3, "done": false, "tags": .stringSet(["urgent"]),
            "meta": ["source": "api", "attempts": [1, 2]],
        ]
        #expect(try roundTrip(item) == item)
        let decoded = try decode(TableItem.self, #"{"taskId":{"S":"t-1"},"version":{"N":"3"}}"#)
        #expect(decoded == ["taskId": "t-1", "version": 3])
    }

    static let malformed: [(String, String)] = [
        ("{}", "exactly one type key"),
        (#"{"S":"a","N":"1"}"#, "exactly one type key"),
        (#"{"S":"a","BOOL":true,"NULL":true}"#, "found BOOL, NULL, S"),
        (#"{"X":"a"}"#, "Unknown AttributeValue type 'X'"),
        (#"{"s":"a"}"#, "Unknown AttributeValue type 's'"),
        (#"{"B":"not base64!"}"#, "base64"),
        (#"{"BS":["AQ==","%%"]}"#, "base64"),
        (#"{"NULL":false}"#, "NULL must be true"),
        (#"{"S":1}"#, ""),
        (#"{"N":1.5}"#, ""),
        (#"{"BOOL":"true"}"#, ""),
        (#"{"SS":"a"}"#, ""),
        (#"{"M":[]}"#, ""),
        (#""plain""#, ""),
        (#"{"M":{"a":{}}}"#, "exactly one type key"),
        (#"{"L":[{"S":"a","BOOL":true}]}"#, "exactly one type key"),
    ]

    @Test("rejects malformed wire JSON with a clear error", arguments: malformed)
    func rejects(json: String, problem: String) {
        let error = #expect(throws: DecodingError.self) { try decode(AttributeValue.self, json) }
        #expect(problem.isEmpty || decodingMessage(error).contains(problem))
    }

    @Test("sets compare and hash without regard to order; lists do not")
    func setSemantics() {
        #expect(AttributeValue.stringSet(["a", "b"]) == .stringSet(["b", "a"]))
        #expect(AttributeValue.numberSet(["1", "2"]) == .numberSet(["2", "1"]))
        #expect(AttributeValue.binarySet([Data([1]), Data([2])]) == .binarySet([Data([2]), Data([1])]))
        #expect(Set<AttributeValue>([.stringSet(["a", "b"]), .stringSet(["b", "a"])]).count == 1)
        #expect(AttributeValue.list(["a", "b"]) != .list(["b", "a"]))
        #expect(AttributeValue.stringSet(["1"]) != .numberSet(["1"]))
        #expect(AttributeValue.string("1") != .number("1"))
    }

    @Test("literals and accessors")
    func convenience() {
        let text: AttributeValue = "x"
        let count: AttributeValue = 42
        let flag: AttributeValue = true
        #expect(text.stringValue == "x" && text.typeName == "S")
        #expect(count.numberValue == "42" && count.intValue == 42 && count.doubleValue == 42)
        #expect(AttributeValue.integer(Int64(-7)) == .number("-7"))
        #expect(AttributeValue.number("2.5").intValue == nil)
        #expect(flag.boolValue == true && flag.stringValue == nil)
        #expect(AttributeValue.null.isNull && !text.isNull)
        #expect(AttributeValue.binary(Data([1])).binaryValue == Data([1]))
        #expect(AttributeValue.map(["a": 1]).mapValue == ["a": 1])
        #expect(AttributeValue.list([1]).listValue == [1])
        #expect(AttributeValue.stringSet(["a"]).stringSetValue == ["a"])
        #expect(AttributeValue.numberSet(["1"]).numberSetValue == ["1"])
        #expect(AttributeValue.binarySet([Data()]).binarySetValue == [Data()])
    }
}

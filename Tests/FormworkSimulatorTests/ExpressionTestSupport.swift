import FormworkRuntime
import FormworkSimulator
import Foundation
import Testing

/// The simulator's request placeholders (FormworkRuntime has a client-side type of the same name).
typealias ExpressionPlaceholders = FormworkSimulator.ExpressionAttributes

/// Shared fixtures and helpers of the expression tests.
enum ExpressionFixture {
    /// An item with every type of value, for conditions, updates and projections.
    static let item: TableItem = [
        "pk": "p1",
        "n": 5,
        "price": .number("2.50"),
        "s": "hello world",
        "emoji": "é𝄞",
        "b": .binary(Data([1, 2, 3])),
        "flag": true,
        "nothing": .null,
        "tags": .stringSet(["red", "blue"]),
        "nums": .numberSet(["1", "2.5"]),
        "bins": .binarySet([Data([1]), Data([2])]),
        "parts": ["a", 2, ["x": "y"]],
        "info": ["nested": ["deep": 7], "k": "v"],
        "status": "open",
    ]

    /// Values every condition test may use.
    static let values: [String: AttributeValue] = [
        ":zero": 0, ":one": 1, ":two": 2, ":three": 3, ":five": 5, ":six": 6, ":seven": 7, ":eleven": 11,
        ":fiveDecimal": .number("5.00"), ":twoFive": .number("2.5"), ":twoFifty": .number("2.50"),
        ":hello": "hello", ":world": "world", ":helloWorld": "hello world", ":red": "red", ":a": "a", ":y": "y", ":open": "open",
        ":mapXY": ["x": "y"], ":b12": .binary(Data([1, 2])), ":b2": .binary(Data([2])), ":b9": .binary(Data([9])),
        ":S": "S", ":SS": "SS", ":N": "N", ":NS": "NS", ":B": "B", ":BS": "BS", ":BOOL": "BOOL", ":NULL": "NULL",
        ":L": "L", ":M": "M", ":true": true,
    ]

    /// Names every condition test may use.
    static let names: [String: String] = ["#m": "info", "#i": "nested", "#status": "status", "#l": "parts"]

    /// The message of the validation error `body` throws, or nil when it throws nothing.
    static func validationMessage(_ body: () throws(TableError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            if case .validation(let message) = error { return message }
            return "\(error.awsErrorCode): \(error.message)"
        }
    }

    /// Parses a condition with the shared placeholders and evaluates it on `item`.
    static func evaluate(_ text: String, on item: TableItem = ExpressionFixture.item) throws -> Bool {
        let condition = try Expressions.condition(text, ExpressionPlaceholders(names: names, values: values))
        return try condition.evaluate(item)
    }
}

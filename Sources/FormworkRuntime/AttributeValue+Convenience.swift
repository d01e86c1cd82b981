import Foundation

extension AttributeValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// A string literal is `S`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer literal is `N`.
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    /// A boolean literal is `BOOL`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An array literal is `L`.
    public init(arrayLiteral elements: AttributeValue...) { self = .list(elements) }
    /// A dictionary literal is `M`; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, AttributeValue)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension AttributeValue {
    /// `N` holding the decimal text of `value`.
    public static func integer<Value: BinaryInteger>(_ value: Value) -> AttributeValue {
        .number(String(value))
    }

    /// The string of an `S`, otherwise `nil`.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The decimal text of an `N`, otherwise `nil`.
    public var numberValue: String? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The `N` as an `Int` when its text is an integer that fits (`"42"`, not `"42.0"`),
    /// otherwise `nil`.
    public var intValue: Int? {
        numberValue.flatMap { Int($0) }
    }

    /// The `N` as the nearest `Double`, otherwise `nil`. Loses precision beyond about 15
    /// significant digits; use ``numberValue`` for the exact text.
    public var doubleValue: Double? {
        numberValue.flatMap { Double($0) }
    }

    /// The data of a `B`, otherwise `nil`.
    public var binaryValue: Data? {
        if case .binary(let value) = self { return value }
        return nil
    }

    /// The flag of a `BOOL`, otherwise `nil`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Whether this is `NULL`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The members of an `M`, otherwise `nil`.
    public var mapValue: [String: AttributeValue]? {
        if case .map(let value) = self { return value }
        return nil
    }

    /// The elements of an `L`, otherwise `nil`.
    public var listValue: [AttributeValue]? {
        if case .list(let value) = self { return value }
        return nil
    }

    /// The members of an `SS`, otherwise `nil`.
    public var stringSetValue: [String]? {
        if case .stringSet(let value) = self { return value }
        return nil
    }

    /// The members of an `NS`, as decimal text, otherwise `nil`.
    public var numberSetValue: [String]? {
        if case .numberSet(let value) = self { return value }
        return nil
    }

    /// The members of a `BS`, otherwise `nil`.
    public var binarySetValue: [Data]? {
        if case .binarySet(let value) = self { return value }
        return nil
    }
}

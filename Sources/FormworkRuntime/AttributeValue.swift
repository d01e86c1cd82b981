import Foundation

/// An item: attribute names to values.
public typealias TableItem = [String: AttributeValue]

/// A DynamoDB attribute value. Its `Codable` form is DynamoDB's JSON wire form, one type
/// key per value: `{"S":"x"}`, `{"N":"1.5"}`, `{"B":"AAE="}`, `{"BOOL":true}`,
/// `{"NULL":true}`, `{"M":{…}}`, `{"L":[…]}`, `{"SS":[…]}`, `{"NS":[…]}`, `{"BS":[…]}`.
///
/// Numbers are kept as the exact decimal text (up to 38 significant digits in DynamoDB),
/// never converted through `Double`. Sets compare and hash without regard to order;
/// numbers compare by their text (`"1"` and `"1.0"` differ here, not in DynamoDB).
///
/// ```swift
/// let item: TableItem = ["taskId": "t-1", "version": 3, "done": false]
/// ```
public indirect enum AttributeValue: Sendable {
    /// `S`: a string.
    case string(String)
    /// `N`: a number, as its decimal text.
    case number(String)
    /// `B`: binary data (base64 on the wire).
    case binary(Data)
    /// `BOOL`: a boolean.
    case bool(Bool)
    /// `NULL`: the null value (`{"NULL": true}` on the wire).
    case null
    /// `M`: a map of attribute names to values.
    case map([String: AttributeValue])
    /// `L`: a list of values.
    case list([AttributeValue])
    /// `SS`: a set of strings.
    case stringSet([String])
    /// `NS`: a set of numbers, as decimal text.
    case numberSet([String])
    /// `BS`: a set of binary values.
    case binarySet([Data])

    /// The wire type key: `S`, `N`, `B`, `BOOL`, `NULL`, `M`, `L`, `SS`, `NS` or `BS`.
    public var typeName: String {
        switch self {
        case .string: "S"
        case .number: "N"
        case .binary: "B"
        case .bool: "BOOL"
        case .null: "NULL"
        case .map: "M"
        case .list: "L"
        case .stringSet: "SS"
        case .numberSet: "NS"
        case .binarySet: "BS"
        }
    }
}

extension AttributeValue: Hashable {
    /// Whether two values are the same; sets are compared as sets.
    public static func == (lhs: AttributeValue, rhs: AttributeValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.binary(let a), .binary(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        case (.map(let a), .map(let b)): a == b
        case (.list(let a), .list(let b)): a == b
        case (.stringSet(let a), .stringSet(let b)): Set(a) == Set(b)
        case (.numberSet(let a), .numberSet(let b)): Set(a) == Set(b)
        case (.binarySet(let a), .binarySet(let b)): Set(a) == Set(b)
        default: false
        }
    }

    /// Hashes the value consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(typeName)
        switch self {
        case .string(let value), .number(let value): hasher.combine(value)
        case .binary(let value): hasher.combine(value)
        case .bool(let value): hasher.combine(value)
        case .null: break
        case .map(let value): hasher.combine(value)
        case .list(let value): hasher.combine(value)
        case .stringSet(let value), .numberSet(let value): hasher.combine(Set(value))
        case .binarySet(let value): hasher.combine(Set(value))
        }
    }
}

import FormworkRuntime
import Foundation

/// DynamoDB's rules for attribute values: sizes, ordering and comparison.
extension AttributeValue {
    /// DynamoDB's size of this value in bytes (names are counted by the container).
    public var dynamoSize: Int {
        switch self {
        case .string(let text): text.utf8.count
        case .number(let text): (try? DynamoNumber(parsing: text))?.storageSize ?? text.utf8.count
        case .binary(let data): data.count
        case .bool, .null: 1
        case .list(let items): 3 + items.reduce(0) { $0 + $1.dynamoSize + 1 }
        case .map(let entries): 3 + entries.reduce(0) { $0 + $1.key.utf8.count + $1.value.dynamoSize + 1 }
        case .stringSet(let values): values.reduce(0) { $0 + $1.utf8.count }
        case .numberSet(let values): values.reduce(0) { $0 + ((try? DynamoNumber(parsing: $1))?.storageSize ?? $1.utf8.count) }
        case .binarySet(let values): values.reduce(0) { $0 + $1.count }
        }
    }

    /// Orders two scalars of the same type as DynamoDB does (N numerically, S by UTF-8 bytes,
    /// B by bytes); nil when they cannot be ordered (different or non-scalar types).
    public func dynamoCompare(_ other: AttributeValue) -> Int? {
        switch (self, other) {
        case (.string(let a), .string(let b)): Self.compareBytes(Array(a.utf8), Array(b.utf8))
        case (.binary(let a), .binary(let b)): Self.compareBytes(Array(a), Array(b))
        case (.number(let a), .number(let b)):
            if let x = try? DynamoNumber(parsing: a), let y = try? DynamoNumber(parsing: b) { x < y ? -1 : (x == y ? 0 : 1) } else { nil }
        default: nil
        }
    }

    /// Equality as DynamoDB compares values: numbers by value, sets regardless of order.
    public func dynamoEquals(_ other: AttributeValue) -> Bool {
        switch (self, other) {
        case (.number(let a), .number(let b)):
            guard let x = try? DynamoNumber(parsing: a), let y = try? DynamoNumber(parsing: b) else { return a == b }
            return x == y
        case (.numberSet(let a), .numberSet(let b)):
            let x = Set(a.compactMap { try? DynamoNumber(parsing: $0) }), y = Set(b.compactMap { try? DynamoNumber(parsing: $0) })
            return x == y && x.count == a.count && y.count == b.count
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.dynamoEquals($1) }
        case (.map(let a), .map(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { value.dynamoEquals($0) } ?? false }
        default:
            return self == other
        }
    }

    /// Bytes whose unsigned order is DynamoDB's order for key values (S, N, B).
    public var sortableKeyBytes: [UInt8]? {
        switch self {
        case .string(let text): Array(text.utf8)
        case .binary(let data): Array(data)
        case .number(let text): (try? DynamoNumber(parsing: text))?.sortableBytes
        default: nil
        }
    }

    static func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}

/// The size rules of whole items.
public enum ItemSize {
    /// DynamoDB's largest item, 400 KB.
    public static let limit = 400 * 1024

    /// The item's size: each attribute's name and value.
    public static func of(_ item: TableItem) -> Int {
        item.reduce(0) { $0 + $1.key.utf8.count + $1.value.dynamoSize }
    }
}

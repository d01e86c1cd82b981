import Foundation

/// Placeholders of DynamoDB expressions: `#name` → attribute name, `:value` → value.
public struct ExpressionAttributes: Equatable, Sendable {
    /// `ExpressionAttributeNames`: `#placeholder` → attribute name.
    public var names: [String: String]
    /// `ExpressionAttributeValues`: `:placeholder` → value.
    public var values: [String: AttributeValue]

    /// Creates a set of placeholders.
    public init(names: [String: String] = [:], values: [String: AttributeValue] = [:]) {
        self.names = names
        self.values = values
    }

    /// Adds `other`'s placeholders, as one DynamoDB request shares them between its
    /// expressions (an update and its condition, say).
    ///
    /// - Throws: ``TableError/validation(_:)`` when a placeholder is bound to two
    ///   different names or values.
    public mutating func merge(_ other: ExpressionAttributes) throws {
        for (placeholder, name) in other.names {
            if let existing = names[placeholder], existing != name {
                throw TableError.validation(
                    "Expression attribute name \(placeholder) is bound to both '\(existing)' and '\(name)'.")
            }
            names[placeholder] = name
        }
        for (placeholder, value) in other.values {
            if let existing = values[placeholder], existing != value {
                throw TableError.validation("Expression attribute value \(placeholder) is bound to two different values.")
            }
            values[placeholder] = value
        }
    }
}

/// A condition a write must meet (`ConditionExpression`), with its placeholders.
///
/// ```swift
/// ConditionExpression("#v = :v", names: ["#v": "version"], values: [":v": 3])
/// ```
public struct ConditionExpression: Equatable, Sendable {
    /// The expression text, such as `attribute_not_exists(#pk)`.
    public var expression: String
    /// `#placeholder` → attribute name.
    public var names: [String: String]
    /// `:placeholder` → value.
    public var values: [String: AttributeValue]

    /// Creates a condition.
    public init(_ expression: String, names: [String: String] = [:], values: [String: AttributeValue] = [:]) {
        self.expression = expression
        self.names = names
        self.values = values
    }

    /// The placeholders, for merging with another expression's.
    public var attributes: ExpressionAttributes {
        ExpressionAttributes(names: names, values: values)
    }

    /// `attribute_not_exists(attribute)`: the write creates, never replaces.
    public static func attributeNotExists(_ attribute: String) -> ConditionExpression {
        ConditionExpression("attribute_not_exists(#cond_attr)", names: ["#cond_attr": attribute])
    }

    /// `attribute_exists(attribute)`: the item must already be there.
    public static func attributeExists(_ attribute: String) -> ConditionExpression {
        ConditionExpression("attribute_exists(#cond_attr)", names: ["#cond_attr": attribute])
    }
}

/// How an update changes an item (`UpdateExpression`), with its placeholders.
///
/// ```swift
/// UpdateExpression("SET #s = :s ADD #v :one", names: ["#s": "status", "#v": "version"],
///                  values: [":s": "done", ":one": 1])
/// ```
public struct UpdateExpression: Equatable, Sendable {
    /// The expression text: `SET`, `REMOVE`, `ADD` and `DELETE` clauses.
    public var expression: String
    /// `#placeholder` → attribute name.
    public var names: [String: String]
    /// `:placeholder` → value.
    public var values: [String: AttributeValue]

    /// Creates an update.
    public init(_ expression: String, names: [String: String] = [:], values: [String: AttributeValue] = [:]) {
        self.expression = expression
        self.names = names
        self.values = values
    }

    /// The placeholders, for merging with another expression's.
    public var attributes: ExpressionAttributes {
        ExpressionAttributes(names: names, values: values)
    }
}

/// Which attributes a read returns (`ProjectionExpression`), with its name placeholders.
public struct ProjectionExpression: Equatable, Sendable {
    /// The expression text, such as `#id, title, tags[0]`.
    public var expression: String
    /// `#placeholder` → attribute name.
    public var names: [String: String]

    /// Creates a projection.
    public init(_ expression: String, names: [String: String] = [:]) {
        self.expression = expression
        self.names = names
    }
}

/// Which item attributes a write returns (`ReturnValues`).
public enum ReturnValues: String, Codable, CaseIterable, Sendable {
    /// `NONE`: nothing.
    case none = "NONE"
    /// `ALL_OLD`: the item as it was.
    case allOld = "ALL_OLD"
    /// `UPDATED_OLD`: the updated attributes as they were.
    case updatedOld = "UPDATED_OLD"
    /// `ALL_NEW`: the item as it is now.
    case allNew = "ALL_NEW"
    /// `UPDATED_NEW`: the updated attributes as they are now.
    case updatedNew = "UPDATED_NEW"
}

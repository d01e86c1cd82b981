import Foundation

/// A message attribute of an SNS message, as it is published and as it arrives in
/// ``SNSEvent`` (`{"Type": "String", "Value": "high"}`).
public struct SNSMessageAttribute: Codable, Equatable, Hashable, Sendable {
    /// The data type: `String`, `String.Array`, `Number` or `Binary`.
    public var type: String
    /// The value as text; base64 for `Binary`.
    public var value: String

    /// Creates an attribute of any data type.
    public init(type: String, value: String) {
        self.type = type
        self.value = value
    }

    /// A `String` attribute.
    public static func string(_ value: String) -> SNSMessageAttribute {
        SNSMessageAttribute(type: "String", value: value)
    }

    /// A `Number` attribute, written as decimal text.
    public static func number(_ value: String) -> SNSMessageAttribute {
        SNSMessageAttribute(type: "Number", value: value)
    }

    private enum CodingKeys: String, CodingKey {
        case type = "Type"
        case value = "Value"
    }
}

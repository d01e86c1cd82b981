/// A JSON Schema (draft 4 subset, as API Gateway models use) for a request body.
///
/// Handlers and blueprints share one value: the blueprint turns it into an API Gateway model
/// and request validator, and the handler can check bodies against the same rules.
///
/// ```swift
/// enum CreateTask {
///     static let schema = JSONSchema.object("CreateTask", properties: [
///         .init("title", .string(minLength: 1, maxLength: 200)),
///         .init("deadline", .string(format: "date-time")),
///     ], required: ["title", "deadline"])
/// }
/// ```
public struct JSONSchema: Sendable, Hashable {
    /// JSON Schema types.
    public enum Kind: String, Sendable, Hashable {
        case object, string, integer, number, boolean, array
    }

    /// A named property of an object schema.
    public struct Property: Sendable, Hashable {
        /// The property name.
        public var name: String
        /// Its schema.
        public var schema: JSONSchema
        /// Creates a property.
        public init(_ name: String, _ schema: JSONSchema) {
            self.name = name
            self.schema = schema
        }
    }

    /// The type.
    public var kind: Kind
    /// The title; for a top-level object it names the API Gateway model.
    public var title: String?
    /// Object properties, in order.
    public var properties: [Property] = []
    /// Required property names.
    public var required: [String] = []
    /// Whether properties not listed are allowed (objects).
    public var additionalProperties: Bool = false
    /// Inclusive string length bounds.
    public var minLength: Int?
    public var maxLength: Int?
    /// A regular expression strings must match.
    public var pattern: String?
    /// A format such as `date-time` or `email`.
    public var format: String?
    /// Allowed string values.
    public var allowedValues: [String]?
    /// Inclusive numeric bounds.
    public var minimum: Int?
    public var maximum: Int?
    /// Array item schema (zero or one element).
    public var items: [JSONSchema] = []
    /// Inclusive array length bounds.
    public var minItems: Int?
    public var maxItems: Int?
    /// Object size bounds (number of properties).
    public var minProperties: Int?

    /// An object with named properties; unknown properties are rejected.
    public static func object(
        _ title: String? = nil, properties: [Property], required: [String] = [],
        minProperties: Int? = nil
    ) -> JSONSchema {
        var schema = JSONSchema(kind: .object, title: title)
        schema.properties = properties
        schema.required = required
        schema.minProperties = minProperties
        return schema
    }

    /// A string with optional bounds, pattern, format or allowed values.
    public static func string(
        minLength: Int? = nil, maxLength: Int? = nil, pattern: String? = nil,
        format: String? = nil, oneOf values: [String]? = nil
    ) -> JSONSchema {
        var schema = JSONSchema(kind: .string)
        schema.minLength = minLength
        schema.maxLength = maxLength
        schema.pattern = pattern
        schema.format = format
        schema.allowedValues = values
        return schema
    }

    /// An integer with optional bounds.
    public static func integer(minimum: Int? = nil, maximum: Int? = nil) -> JSONSchema {
        var schema = JSONSchema(kind: .integer)
        schema.minimum = minimum
        schema.maximum = maximum
        return schema
    }

    /// A boolean.
    public static var boolean: JSONSchema { JSONSchema(kind: .boolean) }

    /// An array of `items`.
    public static func array(of items: JSONSchema, minItems: Int? = nil, maxItems: Int? = nil) -> JSONSchema {
        var schema = JSONSchema(kind: .array)
        schema.items = [items]
        schema.minItems = minItems
        schema.maxItems = maxItems
        return schema
    }
}

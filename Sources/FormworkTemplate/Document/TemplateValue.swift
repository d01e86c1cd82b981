/// A value in a CloudFormation document: scalars, lists, ordered maps and intrinsic functions.
///
/// Maps keep their order, so the same model always gives the same bytes.
public indirect enum TemplateValue: Sendable, Equatable {
    case string(String)
    /// A number, kept as written.
    case number(String)
    case bool(Bool)
    case null
    case list([TemplateValue])
    case map([TemplateEntry])
    /// An intrinsic function by its long name (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Condition`, ...)
    /// and its argument.
    case intrinsic(String, TemplateValue)

    /// An integer.
    public static func int(_ value: Int) -> TemplateValue { .number(String(value)) }

    /// A number, written without a trailing `.0` when whole.
    public static func double(_ value: Double) -> TemplateValue {
        value == value.rounded() && abs(value) < 1e15 ? .number(String(Int(value))) : .number(String(value))
    }

    /// A list of strings.
    public static func strings(_ values: [String]) -> TemplateValue { .list(values.map { .string($0) }) }

    /// `!Ref name`.
    public static func ref(_ name: String) -> TemplateValue { .intrinsic("Ref", .string(name)) }
    /// `!GetAtt resource.attribute`.
    public static func getAtt(_ resource: String, _ attribute: String) -> TemplateValue {
        .intrinsic("Fn::GetAtt", .list([.string(resource), .string(attribute)]))
    }
    /// `!Sub 'text'`.
    public static func sub(_ text: String) -> TemplateValue { .intrinsic("Fn::Sub", .string(text)) }
    /// `!Join [separator, parts]`.
    public static func join(_ separator: String, _ parts: [TemplateValue]) -> TemplateValue {
        .intrinsic("Fn::Join", .list([.string(separator), .list(parts)]))
    }
    /// `!If [condition, then, else]`.
    public static func `if`(_ condition: String, _ then: TemplateValue, _ otherwise: TemplateValue) -> TemplateValue {
        .intrinsic("Fn::If", .list([.string(condition), then, otherwise]))
    }
    /// `!Equals [a, b]`.
    public static func equals(_ a: TemplateValue, _ b: TemplateValue) -> TemplateValue {
        .intrinsic("Fn::Equals", .list([a, b]))
    }
    /// `!Not [condition]`.
    public static func not(_ condition: TemplateValue) -> TemplateValue { .intrinsic("Fn::Not", .list([condition])) }
    /// `!Select [index, list]`.
    public static func select(_ index: Int, _ list: TemplateValue) -> TemplateValue {
        .intrinsic("Fn::Select", .list([.string(String(index)), list]))
    }
    /// `!Ref AWS::NoValue`: removes the property.
    public static let noValue = TemplateValue.ref("AWS::NoValue")

    /// The entry of a map by key.
    public subscript(key: String) -> TemplateValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }
}

/// One key and value of a map.
public struct TemplateEntry: Sendable, Equatable {
    public var key: String
    public var value: TemplateValue

    /// Creates an entry.
    public init(_ key: String, _ value: TemplateValue) {
        self.key = key
        self.value = value
    }
}

/// Builds an ordered map, skipping nil values, so optional properties read naturally.
///
/// ```swift
/// let properties: TemplateValue = .map(["TableName": table.tableName.map(TemplateValue.string), "BillingMode": "PAY_PER_REQUEST"])
/// ```
public struct MapBuilder: ExpressibleByDictionaryLiteral {
    var entries: [TemplateEntry] = []

    public init(dictionaryLiteral elements: (String, TemplateValue?)...) {
        for (key, value) in elements {
            if let value { entries.append(TemplateEntry(key, value)) }
        }
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }

    /// An ordered map from a literal; nil values are left out.
    public static func map(_ builder: MapBuilder) -> TemplateValue { .map(builder.entries) }
}

extension TemplateValue {
    /// An IAM policy document of these statements (policy language version 2012-10-17).
    public static func policyDocument(_ statements: [TemplateValue]) -> TemplateValue {
        .map([TemplateEntry("Version", "2012-10-17"), TemplateEntry("Statement", .list(statements))])
    }
}

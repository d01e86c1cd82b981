import Foundation

extension AttributeValue: Codable {
    /// The type keys DynamoDB's wire form knows.
    static let wireTypeNames = ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]

    private struct WireKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes DynamoDB's wire form. Rejects an object without a type key, with more than
    /// one, with an unknown one, with a value of the wrong JSON type, with `B` text that is
    /// not base64, and `{"NULL": false}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: WireKey.self)
        let keys = container.allKeys
        guard keys.count == 1, let key = keys.first else {
            let expected = Self.wireTypeNames.joined(separator: ", ")
            let found = keys.isEmpty ? "none" : keys.map(\.stringValue).sorted().joined(separator: ", ")
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "An AttributeValue needs exactly one type key (\(expected)); found \(found)."
                ))
        }
        switch key.stringValue {
        case "S": self = .string(try container.decode(String.self, forKey: key))
        case "N": self = .number(try container.decode(String.self, forKey: key))
        case "B": self = .binary(try Self.decodeBase64(container.decode(String.self, forKey: key), key, container))
        case "BOOL": self = .bool(try container.decode(Bool.self, forKey: key))
        case "NULL":
            guard try container.decode(Bool.self, forKey: key) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container, debugDescription: "NULL must be true.")
            }
            self = .null
        case "M": self = .map(try container.decode([String: AttributeValue].self, forKey: key))
        case "L": self = .list(try container.decode([AttributeValue].self, forKey: key))
        case "SS": self = .stringSet(try container.decode([String].self, forKey: key))
        case "NS": self = .numberSet(try container.decode([String].self, forKey: key))
        case "BS":
            let texts = try container.decode([String].self, forKey: key)
            self = .binarySet(try texts.map { try Self.decodeBase64($0, key, container) })
        default:
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container,
                debugDescription: "Unknown AttributeValue type '\(key.stringValue)'; expected one of "
                    + Self.wireTypeNames.joined(separator: ", ") + "."
            )
        }
    }

    /// Encodes DynamoDB's wire form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: WireKey.self)
        let key = WireKey(typeName)
        switch self {
        case .string(let value), .number(let value): try container.encode(value, forKey: key)
        case .binary(let value): try container.encode(value.base64EncodedString(), forKey: key)
        case .bool(let value): try container.encode(value, forKey: key)
        case .null: try container.encode(true, forKey: key)
        case .map(let value): try container.encode(value, forKey: key)
        case .list(let value): try container.encode(value, forKey: key)
        case .stringSet(let value), .numberSet(let value): try container.encode(value, forKey: key)
        case .binarySet(let value): try container.encode(value.map { $0.base64EncodedString() }, forKey: key)
        }
    }

    private static func decodeBase64(
        _ text: String,
        _ key: WireKey,
        _ container: KeyedDecodingContainer<WireKey>
    ) throws -> Data {
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "\(key.stringValue) must hold base64 text.")
        }
        return data
    }
}

import Foundation
import FormworkRuntime

/// Decodes `json` with the project's decoder.
func decode<Value: Decodable>(_ type: Value.Type, _ json: String) throws -> Value {
    try JSONCoding.decode(type, from: Data(json.utf8))
}

/// Encodes `value` with the project's encoder and decodes the result again.
func roundTrip<Value: Codable>(_ value: Value) throws -> Value {
    try JSONCoding.decode(Value.self, from: JSONCoding.encode(value))
}

/// The project encoder's output for `value`, as text.
func encodedText<Value: Encodable>(_ value: Value) throws -> String {
    String(decoding: try JSONCoding.encode(value), as: UTF8.self)
}

/// The top-level members of a JSON object, to check which keys were written and how.
func encodedObject<Value: Encodable>(_ value: Value) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: JSONCoding.encode(value))
    return object as? [String: Any] ?? [:]
}

/// The debug description a decoding error carries, or "" for other errors.
func decodingMessage(_ error: (any Error)?) -> String {
    switch error as? DecodingError {
    case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context),
        .valueNotFound(_, let context):
        return context.debugDescription
    default:
        return ""
    }
}

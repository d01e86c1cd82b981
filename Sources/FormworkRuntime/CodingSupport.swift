import Foundation

extension KeyedDecodingContainer {
    /// A dictionary that AWS may send as `null` or leave out: both decode as empty.
    func decodeDictionary<Value: Decodable>(
        _ type: [String: Value].Type,
        forKey key: Key
    ) throws -> [String: Value] {
        try decodeIfPresent(type, forKey: key) ?? [:]
    }
}

extension KeyedEncodingContainer {
    /// Writes an empty dictionary as `null`, the way AWS sends one that has no entries.
    mutating func encodeDictionaryOrNull<Value: Encodable>(
        _ dictionary: [String: Value],
        forKey key: Key
    ) throws {
        if dictionary.isEmpty {
            try encodeNil(forKey: key)
        } else {
            try encode(dictionary, forKey: key)
        }
    }
}

extension Dictionary where Key == String {
    /// The value of an HTTP header, matching its name without regard to case. An exact
    /// match wins; among other spellings the smallest name wins, so the answer never
    /// depends on dictionary order.
    func headerValue(named name: String) -> Value? {
        if let exact = self[name] { return exact }
        let lowered = name.lowercased()
        return filter { $0.key.lowercased() == lowered }.min { $0.key < $1.key }?.value
    }
}

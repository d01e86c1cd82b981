import FormworkRuntime
import Foundation

/// The `limit` and `nextToken` query parameters of list routes. A token is the page's
/// `LastEvaluatedKey` as DynamoDB JSON in URL-safe base64, opaque to clients.
enum Paging {
    /// The page size when `limit` is not given.
    static let defaultLimit = 50
    /// The sizes `limit` may ask for.
    static let limits = 1...100

    /// The `limit` parameter of `request`.
    ///
    /// - Throws: `400` when it is not a whole number from 1 to 100.
    static func limit(of request: RouteRequest) throws -> Int {
        guard let text = request.query("limit") else { return defaultLimit }
        guard let limit = Int(text), limits.contains(limit) else {
            throw APIError.invalid("limit", "must be a whole number from \(limits.lowerBound) to \(limits.upperBound)")
        }
        return limit
    }

    /// The token for the page after the one that ended at `key`.
    static func token(for key: TableItem) throws -> String {
        try JSONCoding.encode(key).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The key a `nextToken` stands for.
    ///
    /// - Throws: `400` when the text is not a token this API hands out.
    static func key(from token: String) throws -> TableItem {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard token.utf8.count <= 4096, let data = Data(base64Encoded: base64),
            let key = try? JSONCoding.decode(TableItem.self, from: data)
        else { throw invalidToken }
        return key
    }

    /// `400` for a `nextToken` that is not one of ours.
    static let invalidToken = APIError.invalid("nextToken", "is not a token this API handed out")
}

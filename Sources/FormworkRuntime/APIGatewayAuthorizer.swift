import Foundation

extension APIGatewayRequest {
    /// The `requestContext.authorizer` of a REST API proxy event.
    ///
    /// With a Cognito user pool authorizer, ``claims`` holds the ID token's claims as
    /// strings (`sub`, `email`, `cognito:groups`, `cognito:username`, …).
    public struct Authorizer: Codable, Equatable, Sendable {
        /// The token's claims, every value as a string; empty when AWS sends `null`.
        public var claims: [String: String]
        /// The OAuth scopes of an access token, when the method asks for scopes.
        public var scopes: [String]?
        /// The principal a Lambda authorizer returned.
        public var principalId: String?
        /// How long the authorizer took, in milliseconds.
        public var integrationLatency: Int?

        /// Creates an authorizer result.
        public init(
            claims: [String: String] = [:],
            scopes: [String]? = nil,
            principalId: String? = nil,
            integrationLatency: Int? = nil
        ) {
            self.claims = claims
            self.scopes = scopes
            self.principalId = principalId
            self.integrationLatency = integrationLatency
        }

        /// The caller's Cognito groups, read from the `cognito:groups` claim with
        /// ``CognitoGroups/parse(_:)``; empty when the claim is absent.
        public var groups: [String] {
            claims["cognito:groups"].map(CognitoGroups.parse) ?? []
        }

        private enum CodingKeys: String, CodingKey {
            case claims, scopes, principalId, integrationLatency
        }

        /// Decodes the authorizer object. Claims sent as numbers or booleans become their
        /// text, an array of scalars becomes its items joined by `,`, a `null` claim is left
        /// out; a claim that is an object is rejected.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let rawClaims = try container.decodeDictionary([String: JSONValue].self, forKey: .claims)
            var claims: [String: String] = [:]
            for (name, value) in rawClaims where value != .null {
                guard let text = Self.claimText(value) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .claims, in: container,
                        debugDescription: "Claim '\(name)' must be a string, number, boolean or array of those."
                    )
                }
                claims[name] = text
            }
            self.claims = claims
            scopes = try container.decodeIfPresent([String].self, forKey: .scopes)
            principalId = try container.decodeIfPresent(String.self, forKey: .principalId)
            integrationLatency = try container.decodeIfPresent(Int.self, forKey: .integrationLatency)
        }

        /// Encodes the authorizer object; empty claims as `null`, as AWS sends them.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeDictionaryOrNull(claims, forKey: .claims)
            try container.encodeIfPresent(scopes, forKey: .scopes)
            try container.encodeIfPresent(principalId, forKey: .principalId)
            try container.encodeIfPresent(integrationLatency, forKey: .integrationLatency)
        }

        /// The text of a claim, or `nil` when the value cannot be a claim.
        private static func claimText(_ value: JSONValue) -> String? {
            switch value {
            case .string(let text): return text
            case .bool(let flag): return String(flag)
            case .number(let number):
                if let integer = Int64(exactly: number) { return String(integer) }
                return String(number)
            case .array(let items):
                var parts: [String] = []
                for item in items {
                    if case .array = item { return nil }
                    guard let text = claimText(item) else { return nil }
                    parts.append(text)
                }
                return parts.joined(separator: ",")
            case .null, .object: return nil
            }
        }
    }
}

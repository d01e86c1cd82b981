import Crypto
import CryptoExtras
import Foundation

/// A user pool's RS256 signing key: made once, kept in the state database, published as a
/// JWKS entry.
struct SigningKey: Sendable {
    /// The key id (`kid`), derived from the public key.
    let keyId: String
    let privateKey: _RSA.Signing.PrivateKey

    /// A new 2048-bit key.
    static func generate() throws -> SigningKey {
        try SigningKey(privateKey: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    /// A key read back from its DER form.
    init(der: Data) throws {
        try self.init(privateKey: _RSA.Signing.PrivateKey(derRepresentation: der))
    }

    private init(privateKey: _RSA.Signing.PrivateKey) throws {
        self.privateKey = privateKey
        let digest = SHA256.hash(data: privateKey.publicKey.derRepresentation)
        keyId = Base64URL.encode(Data(digest))
    }

    var der: Data { privateKey.derRepresentation }

    /// The JWKS entry of the public key.
    func jwk() throws -> [String: String] {
        let primitives = try privateKey.publicKey.getKeyPrimitives()
        return [
            "kty": "RSA", "alg": "RS256", "use": "sig", "kid": keyId,
            "n": Base64URL.encode(primitives.modulus), "e": Base64URL.encode(primitives.publicExponent),
        ]
    }

    /// A signed JWT (`header.payload.signature`) of `claims`.
    func sign(claims: [String: Any]) throws -> String {
        let header = Base64URL.encode(JSONBody.data(["kid": keyId, "alg": "RS256"]))
        let payload = Base64URL.encode(JSONBody.data(claims))
        let input = Data("\(header).\(payload)".utf8)
        let signature = try privateKey.signature(for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5)
        return "\(header).\(payload).\(Base64URL.encode(signature.rawRepresentation))"
    }

    /// The claims of `token` when this key signed it; `nil` for anything else.
    func verifiedClaims(of token: String) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]), let payload = Base64URL.decode(parts[1]),
            let signatureData = Base64URL.decode(parts[2]),
            let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any],
            header["alg"] as? String == "RS256", header["kid"] as? String == keyId
        else { return nil }
        let input = Data("\(parts[0]).\(parts[1])".utf8)
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signatureData)
        guard privateKey.publicKey.isValidSignature(signature, for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5) else {
            return nil
        }
        return (try? JSONSerialization.jsonObject(with: payload)) as? [String: Any]
    }
}

/// Base64url without padding (RFC 4648 §5), as JWTs use it.
enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: some StringProtocol) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}

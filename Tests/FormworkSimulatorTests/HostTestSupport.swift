import Blueprints
import Crypto
import CryptoExtras
import Formwork
import FormworkRuntime
import FormworkSimulator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// 2026-12-01T09:00:00Z.
let simulatorStart = Date(timeIntervalSince1970: 1_796_115_600)

/// A small architecture of its own: a pool that allows self sign-up and a table with TTL.
func selfSignUpArchitecture() -> Architecture {
    Architecture("Sandbox") {
        UserPool("Members")
            .named("sandbox-members")
            .groups(UserGroup("Readers", precedence: 5))
            .adminCreateOnly(false)
            .passwordPolicy(PasswordPolicy(minimumLength: 8, requireUppercase: false, requireSymbols: false))
        Table("Sessions", partitionKey: .string("id"))
            .named("sandbox-sessions")
            .timeToLive("expiresAt")
    }
}

/// The simulator of an architecture (the blueprint's dev environment by default) on a virtual
/// clock, and a client that speaks to its router.
struct Host {
    let simulator: Simulator
    let client: any TestClientProtocol

    var poolId: String { simulator.identity.userPools[0].poolId }
    var clientId: String { simulator.identity.userPools[0].clientId }

    /// The answer of an AWS JSON operation: status, `__type` of an error, and the body.
    struct Answer {
        var status: Int
        var json: [String: Any]
        var errorType: String? { json["__type"] as? String }
        var message: String? { json["message"] as? String }
    }

    /// Sends `operation` to the service of `prefix`, signed like an SDK unless `signed` is false.
    @discardableResult
    func call(
        _ operation: String, _ input: [String: Any] = [:], prefix: String = "AWSCognitoIdentityProviderService.", signed: Bool = true,
        rawBody: String? = nil
    ) async throws -> Answer {
        var headers: HTTPFields = [.contentType: "application/x-amz-json-1.1"]
        headers[HTTPField.Name("X-Amz-Target")!] = prefix + operation
        if signed {
            headers[.authorization] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00"
        }
        let encoded = try JSONSerialization.data(withJSONObject: input)
        let body = rawBody ?? String(decoding: encoded, as: UTF8.self)
        return try await client.execute(uri: "/", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            Answer(status: Int(response.status.code), json: (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
    }

    /// A control or discovery document.
    func get(_ uri: String) async throws -> (status: Int, json: [String: Any]) {
        try await client.execute(uri: uri, method: .get) { response in
            (Int(response.status.code), (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
    }

    func post(_ uri: String, _ body: String) async throws -> (status: Int, json: [String: Any]) {
        try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) {
            response in
            (Int(response.status.code), (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
    }

    /// The outbox's messages to `address`.
    func mail(to address: String) throws -> [Outbox.Message] {
        try simulator.outbox.messages(to: address)
    }

    /// Creates a user through AdminCreateUser with `temporaryPassword`, in `groups`; returns its user name.
    @discardableResult
    func invite(_ email: String, temporaryPassword: String = "Temporary-Pass1!", groups: [String] = []) async throws -> String {
        let created = try await call(
            "AdminCreateUser", ["UserPoolId": poolId, "Username": email, "TemporaryPassword": temporaryPassword])
        #expect(created.status == 200, "\(created.json)")
        for group in groups {
            try await call("AdminAddUserToGroup", ["UserPoolId": poolId, "Username": email, "GroupName": group])
        }
        return (created.json["User"] as? [String: Any])?["Username"] as? String ?? ""
    }

    /// Invites a user and answers the new-password challenge; returns the tokens.
    @discardableResult
    func signedIn(_ email: String, password: String = "Permanent-Pass1!", groups: [String] = []) async throws -> [String: Any] {
        try await invite(email, groups: groups)
        let first = try await call(
            "InitiateAuth",
            ["ClientId": clientId, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": ["USERNAME": email, "PASSWORD": "Temporary-Pass1!"]])
        let answered = try await call(
            "RespondToAuthChallenge",
            [
                "ClientId": clientId, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": first.json["Session"] as? String ?? "",
                "ChallengeResponses": ["USERNAME": email, "NEW_PASSWORD": password],
            ])
        return answered.json["AuthenticationResult"] as? [String: Any] ?? [:]
    }

    func signIn(_ email: String, _ password: String) async throws -> Answer {
        try await call(
            "InitiateAuth", ["ClientId": clientId, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": ["USERNAME": email, "PASSWORD": password]])
    }
}

/// Runs `body` against a simulator of `architecture` (the dev blueprint by default), in memory
/// or in `directory`, on a virtual clock at ``simulatorStart``.
func withHost<Value: Sendable>(
    architecture: Architecture = TaskManagementBlueprint().architecture(for: .dev), directory: String? = nil,
    clock: SimulatorClock = .virtual(start: simulatorStart), integrationTimeout: Duration = .seconds(29),
    _ body: @Sendable (Host) async throws -> Value
) async throws -> Value {
    let simulator = try Simulator(
        architecture: architecture, environment: .dev,
        options: .init(
            state: directory.map { .directory($0) } ?? .inMemory, clock: clock, root: packageRoot, integrationTimeout: integrationTimeout))
    let app = Application(router: simulator.makeRouter())
    return try await app.test(.router) { client in try await body(Host(simulator: simulator, client: client)) }
}

/// The package's root folder, where the blueprint's relative paths start.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh state directory.
func temporaryStateDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("formwork-host-\(UUID().uuidString)").path
}

/// A JWT's claims after checking its RS256 signature against the JWKS, independently of the
/// simulator's own verification: the key is rebuilt from the published modulus and exponent.
func verifiedClaims(_ token: String, jwks: [String: Any]) throws -> [String: Any]? {
    let parts = token.split(separator: ".").map(String.init)
    guard parts.count == 3, let header = decodeJSON(parts[0]), let kid = header["kid"] as? String,
        let keys = jwks["keys"] as? [[String: String]], let jwk = keys.first(where: { $0["kid"] == kid }),
        let n = base64URL(jwk["n"] ?? ""), let e = base64URL(jwk["e"] ?? ""), let signature = base64URL(parts[2])
    else { return nil }
    let key = try _RSA.Signing.PublicKey(n: n, e: e)
    let valid = key.isValidSignature(
        _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: Data("\(parts[0]).\(parts[1])".utf8)),
        padding: .insecurePKCS1v1_5)
    return valid ? decodeJSON(parts[1]) : nil
}

func decodeJSON(_ base64url: String) -> [String: Any]? {
    base64URL(base64url).flatMap { (try? JSONSerialization.jsonObject(with: $0)) as? [String: Any] }
}

func base64URL(_ text: String) -> Data? {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    return Data(base64Encoded: base64)
}

/// `token` with one byte of its signature changed, so the signature no longer holds.
func withForgedSignature(_ token: String) -> String {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 3, var signature = base64URL(parts[2]), signature.count > 10 else { return token + "x" }
    signature[10] ^= 0xFF
    let encoded = signature.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
    return "\(parts[0]).\(parts[1]).\(encoded)"
}

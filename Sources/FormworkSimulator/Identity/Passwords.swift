import Crypto
import CryptoExtras
import Formwork
import Foundation

/// Password hashing: PBKDF2-HMAC-SHA256 with a random salt, stored as
/// `pbkdf2-sha256$<rounds>$<salt>$<hash>`. Passwords are never stored or logged in clear.
enum PasswordHash {
    static let rounds = 210_000

    static func make(_ password: String) throws -> String {
        let salt = Data((0..<16).map { _ in UInt8.random(in: 0...255) })
        let key = try derive(password, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(salt.base64EncodedString())$\(key.base64EncodedString())"
    }

    static func matches(_ password: String, _ stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), rounds >= self.rounds,
            let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3])),
            let key = try? derive(password, salt: salt, rounds: rounds)
        else { return false }
        return key.count == expected.count && zip(key, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func derive(_ password: String, salt: Data, rounds: Int) throws -> Data {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Data(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, rounds: rounds)
        return key.withUnsafeBytes { Data($0) }
    }
}

extension PasswordPolicy {
    /// Cognito's symbols: `^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' : ; | _ ~ ` = + -`, and the space.
    static let symbols = Set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")

    /// Cognito's message when `password` breaks the policy; `nil` when it conforms.
    func violation(of password: String) -> String? {
        let prefix = "Password did not conform with policy: "
        if password.count < minimumLength { return prefix + "Password not long enough" }
        if password.count > 256 { return prefix + "Password is too long" }
        if requireUppercase && !password.contains(where: { $0.isUppercase }) { return prefix + "Password must have uppercase characters" }
        if requireLowercase && !password.contains(where: { $0.isLowercase }) { return prefix + "Password must have lowercase characters" }
        if requireNumbers && !password.contains(where: { $0.isASCII && $0.isNumber }) { return prefix + "Password must have numeric characters" }
        if requireSymbols && !password.contains(where: { Self.symbols.contains($0) }) { return prefix + "Password must have symbol characters" }
        return nil
    }
}

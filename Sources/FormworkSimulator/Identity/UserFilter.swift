import FormworkRuntime
import Foundation

/// A `ListUsers` filter: `attribute = "value"` (exact) or `attribute ^= "value"` (prefix), on
/// the attributes Cognito allows.
struct UserFilter {
    static let attributes: Set<String> = [
        "username", "email", "phone_number", "name", "given_name", "family_name", "preferred_username", "cognito:user_status",
        "status", "sub",
    ]

    let attribute: String
    let prefix: Bool
    let value: String

    init(parsing text: String) throws {
        let invalid = DirectoryError.invalidParameter("Error while parsing filter.")
        var rest = Substring(text).drop(while: \.isWhitespace)
        let name = rest.prefix { !$0.isWhitespace && $0 != "=" && $0 != "^" }
        rest = rest.dropFirst(name.count).drop(while: \.isWhitespace)
        if rest.hasPrefix("^=") {
            prefix = true
            rest = rest.dropFirst(2)
        } else if rest.hasPrefix("=") {
            prefix = false
            rest = rest.dropFirst()
        } else {
            throw invalid
        }
        rest = rest.drop(while: \.isWhitespace)
        guard rest.first == "\"" else { throw invalid }
        rest = rest.dropFirst()
        var value = ""
        var closed = false
        while let character = rest.first {
            rest = rest.dropFirst()
            if character == "\\", let next = rest.first {
                value.append(next)
                rest = rest.dropFirst()
            } else if character == "\"" {
                closed = true
                break
            } else {
                value.append(character)
            }
        }
        guard closed, rest.allSatisfy(\.isWhitespace) else { throw invalid }
        guard Self.attributes.contains(String(name)) else {
            throw DirectoryError.invalidParameter("Invalid search attribute: \(name)")
        }
        attribute = String(name)
        self.value = value
    }

    func matches(_ user: PoolUser) -> Bool {
        let candidate: String? =
            switch attribute {
            case "username": user.username
            case "cognito:user_status": user.status.rawValue
            case "status": user.enabled ? "Enabled" : "Disabled"
            default: user.attributes[attribute]
            }
        guard let candidate else { return false }
        return prefix ? candidate.lowercased().hasPrefix(value.lowercased()) : candidate.lowercased() == value.lowercased()
    }
}
